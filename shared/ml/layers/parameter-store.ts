import * as tf from '@tensorflow/tfjs-core';
import type { SeededRandom } from '../../random/seeded-random.ts';
import { setTorchLayout, tfShapeOf, torchToTf, type TorchLayoutKind } from './torch-layout.ts';

/**
 * Collects a model's variables in PyTorch state_dict order while its layers are built.
 * Layers hand over their initial values in the PyTorch layout; the store transposes
 * them to TF.js, keeps the layout with each variable (`torchLayoutOf`) and keys the
 * variable by its state_dict name. Build layers in the order PyTorch registers them
 * (parameters of a module, then its buffers), and the order follows.
 */
export class ParameterStore {
  /** Trainable variables by state_dict name, in state_dict order. */
  readonly parameters = new Map<string, tf.Variable>();
  /** Non-trainable state (BatchNorm statistics) by state_dict name, in state_dict order. */
  readonly buffers = new Map<string, tf.Variable>();
  private entries = 0;

  /** `random` draws every initial weight, so init is reproducible from the run seed. */
  constructor(readonly random: SeededRandom) {}

  addParameter(name: string, kind: TorchLayoutKind, torchShape: number[], torchValues: Float32Array): tf.Variable {
    const variable = this.create(name, kind, torchShape, torchValues, true);
    this.parameters.set(name, variable);
    return variable;
  }

  addBuffer(
    name: string,
    kind: TorchLayoutKind,
    torchShape: number[],
    torchValues: Float32Array | Int32Array,
  ): tf.Variable {
    const variable = this.create(name, kind, torchShape, torchValues, false);
    this.buffers.set(name, variable);
    return variable;
  }

  /** Number of trainable values, as PyTorch counts `parameters()`. */
  parameterCount(): number {
    let count = 0;
    for (const variable of this.parameters.values()) count += variable.size;
    return count;
  }

  dispose(): void {
    for (const variable of [...this.parameters.values(), ...this.buffers.values()]) variable.dispose();
    this.parameters.clear();
    this.buffers.clear();
  }

  private create(
    name: string,
    kind: TorchLayoutKind,
    torchShape: number[],
    torchValues: Float32Array | Int32Array,
    trainable: boolean,
  ): tf.Variable {
    if (this.parameters.has(name) || this.buffers.has(name)) {
      throw new Error(`ParameterStore: state_dict name ${name} is registered twice`);
    }
    const size = torchShape.reduce((a, b) => a * b, 1);
    if (torchValues.length !== size) {
      throw new Error(`ParameterStore: ${name} has ${torchValues.length} values for shape [${torchShape.join(', ')}]`);
    }
    const dtype = torchValues instanceof Int32Array ? 'int32' : 'float32';
    const initial = tf.tensor(torchToTf(kind, torchShape, torchValues), tfShapeOf(kind, torchShape), dtype);
    // No tf name: TF.js names must be unique per process, and several models may coexist.
    const variable = tf.variable(initial, trainable, undefined, dtype);
    initial.dispose();
    setTorchLayout(variable, { kind, torchShape: [...torchShape], order: this.entries++ });
    return variable;
  }
}
