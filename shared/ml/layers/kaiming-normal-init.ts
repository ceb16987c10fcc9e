import * as tf from '@tensorflow/tfjs-core';
import type { SeededRandom } from '../../random/seeded-random.ts';
import { tfShapeOf, torchLayoutOf, torchToTf } from './torch-layout.ts';

/** A layer with a weight and an optional bias, as Conv2d and Linear are. */
export interface WeightedLayer {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | undefined;
}

/**
 * Re-initialises a Conv2d or Linear the way the official `kaiming_init` does
 * (`nn.init.kaiming_normal(weight)`, bias 0): weights ~ N(0, 2 / fan_in), i.e. gain √2
 * (leaky_relu with a = 0) in fan_in mode, where fan_in = in_channels·kh·kw for Conv2d and
 * in_features for Linear. Values are drawn in PyTorch's row-major order of the weight.
 */
export function kaimingNormalInit(layer: WeightedLayer, random: SeededRandom): void {
  const layout = torchLayoutOf(layer.weight);
  if (layout === undefined || (layout.kind !== 'conv2d' && layout.kind !== 'linear')) {
    throw new Error('kaimingNormalInit: expected the weight of a Conv2d or Linear built through a ParameterStore');
  }
  const [, ...rest] = layout.torchShape;
  const fanIn = rest.reduce((a, b) => a * b, 1);
  const std = Math.sqrt(2 / fanIn);
  const values = new Float32Array(layer.weight.size);
  for (let i = 0; i < values.length; i++) values[i] = random.normal(0, std);
  tf.tidy(() => {
    layer.weight.assign(tf.tensor(torchToTf(layout.kind, layout.torchShape, values), tfShapeOf(layout.kind, layout.torchShape)));
    layer.bias?.assign(tf.zerosLike(layer.bias));
  });
}
