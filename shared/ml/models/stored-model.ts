import type * as tf from '@tensorflow/tfjs-core';
import type { AutoencoderModel, ForwardOptions, ModelOutputs } from '../autoencoder-model.ts';
import type { ParameterStore } from '../layers/parameter-store.ts';

/** What every model shares: its weights and buffers live in one ParameterStore, disposed with it. */
export abstract class StoredModel implements AutoencoderModel {
  abstract readonly name: string;
  readonly parameters: ReadonlyMap<string, tf.Variable>;
  readonly buffers: ReadonlyMap<string, tf.Variable>;

  constructor(protected readonly store: ParameterStore) {
    this.parameters = store.parameters;
    this.buffers = store.buffers;
  }

  abstract forward(x: tf.Tensor4D, options: ForwardOptions): ModelOutputs;

  dispose(): void {
    this.store.dispose();
  }
}
