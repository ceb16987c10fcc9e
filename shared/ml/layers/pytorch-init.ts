import type { SeededRandom } from '../../random/seeded-random.ts';

/**
 * PyTorch's default init of Conv2d, ConvTranspose2d and Linear weights and biases
 * (docs/models.md §17.10): U(−1/√fan_in, +1/√fan_in). kaiming_uniform with a = √5 reduces
 * to exactly this bound. fan_in is in_channels·k² for Conv2d, **out_channels·k²** for
 * ConvTranspose2d (PyTorch reads it from weight dim 1) and in_features for Linear.
 * Values are drawn in PyTorch's row-major order of the tensor.
 */
export function pytorchUniform(random: SeededRandom, count: number, fanIn: number): Float32Array {
  const bound = 1 / Math.sqrt(fanIn);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = random.uniform(-bound, bound);
  return values;
}

/** A vector filled with one value (BatchNorm weight 1, bias 0, running stats 0 and 1). */
export function filled(count: number, value: number): Float32Array {
  return new Float32Array(count).fill(value);
}
