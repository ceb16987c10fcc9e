import * as tf from '@tensorflow/tfjs-core';
import type { AutoencoderModel, ModelOutputs } from '../../../../../shared/ml/autoencoder-model.ts';
import type { SeededRandom } from '../../../../../shared/random/seeded-random.ts';

/**
 * A two-layer conv autoencoder (3×3 stride-2 conv to 4 channels, swish, transposed conv
 * back, sigmoid) with one non-trainable buffer, standing in for the registry's models.
 * Weights ~ U(±1/√fan_in) from `random`.
 */
export function tinyModel(random: SeededRandom, size = 8): AutoencoderModel {
  const uniform = (shape: number[], fanIn: number) => {
    const bound = 1 / Math.sqrt(fanIn);
    const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random.uniform(-bound, bound));
    return tf.tidy(() => tf.variable(tf.tensor(values, shape), true));
  };
  const parameters = new Map<string, tf.Variable>([
    ['encoder.conv.weight', uniform([3, 3, 1, 4], 9)],
    ['encoder.conv.bias', uniform([4], 9)],
    ['decoder.conv.weight', uniform([3, 3, 1, 4], 36)],
    ['decoder.conv.bias', uniform([1], 36)],
  ]);
  const buffers = new Map<string, tf.Variable>([['encoder.scale', tf.tidy(() => tf.variable(tf.ones([4]), false))]]);
  const p = (name: string) => parameters.get(name)!;
  return {
    name: 'tiny_autoencoder',
    parameters,
    buffers,
    forward(x: tf.Tensor4D): ModelOutputs {
      return tf.tidy(() => {
        const pre = tf.add(tf.conv2d(x, p('encoder.conv.weight') as tf.Tensor4D, 2, 'same'), p('encoder.conv.bias'));
        const z = tf.mul(tf.mul(pre, tf.sigmoid(pre)), buffers.get('encoder.scale')!) as tf.Tensor4D;
        const up = tf.conv2dTranspose(z, p('decoder.conv.weight') as tf.Tensor4D, [x.shape[0], size, size, 1], 2, 'same');
        return { xRec: tf.sigmoid(tf.add(up, p('decoder.conv.bias'))) as tf.Tensor4D, z, extras: {} };
      });
    },
    dispose() {
      for (const variable of [...parameters.values(), ...buffers.values()]) variable.dispose();
    },
  };
}
