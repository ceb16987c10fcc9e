import type * as tf from '@tensorflow/tfjs-core';
import type { AutoencoderModel } from '../autoencoder-model.ts';
import { torchLayoutOf, type TorchLayout } from '../layers/torch-layout.ts';

export interface StateDictEntry {
  name: string;
  variable: tf.Variable;
  layout: TorchLayout;
  isParameter: boolean;
}

/** Every parameter and buffer of a model with its PyTorch layout, in state_dict order. */
export function stateDictEntries(model: AutoencoderModel): StateDictEntry[] {
  const entries: StateDictEntry[] = [];
  const collect = (variables: ReadonlyMap<string, tf.Variable>, isParameter: boolean): void => {
    for (const [name, variable] of variables) {
      const layout = torchLayoutOf(variable);
      if (!layout) throw new Error(`${model.name}: variable ${name} carries no PyTorch layout (build it through a ParameterStore)`);
      entries.push({ name, variable, layout, isParameter });
    }
  };
  collect(model.parameters, true);
  collect(model.buffers, false);
  return entries.sort((a, b) => a.layout.order - b.layout.order);
}
