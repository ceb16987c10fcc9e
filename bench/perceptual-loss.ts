/**
 * Forward + backward time of the VGG19 perceptual loss (docs/models.md §9.2) on one batch,
 * gradient into the input as in training. Random weights (the cost does not depend on
 * the values). Usage: node --import tsx bench/perceptual-loss.ts [cpu|wasm] [batch] [size] [repeats]
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../shared/ml/backend/select-backend.ts';
import { PerceptualLoss, VGG19_PERCEPTUAL_CONVS } from '../shared/ml/losses/perceptual-loss.ts';
import { SeededRandom } from '../shared/random/seeded-random.ts';
import type { SafetensorsTensor } from '../shared/ml/weights/safetensors.ts';

const [backendName = 'wasm', batchText = '8', sizeText = '128', repeatsText = '2'] = process.argv.slice(2);
const [batch, size, repeats] = [Number(batchText), Number(sizeText), Number(repeatsText)];
tf.env().set('PROD', true);
const backend = await selectBackend(backendName);

const random = new SeededRandom(1);
const tensors = new Map<string, SafetensorsTensor>();
for (const { index, inChannels, outChannels } of VGG19_PERCEPTUAL_CONVS) {
  const bound = 1 / Math.sqrt(inChannels * 9);
  const values = (n: number) => Float32Array.from({ length: n }, () => random.uniform(-bound, bound));
  tensors.set(`features.${index}.weight`, { dtype: 'F32', shape: [outChannels, inChannels, 3, 3], data: values(outChannels * inChannels * 9) });
  tensors.set(`features.${index}.bias`, { dtype: 'F32', shape: [outChannels], data: values(outChannels) });
}
const loss = PerceptualLoss.fromStateDict(tensors, 'random VGG19');
const x = tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
const target = tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
const step = tf.valueAndGrad((input: tf.Tensor) => loss.apply(input as tf.Tensor4D, target));

/** Wall-clock and CPU seconds of one call: on a shared machine CPU time is the steadier figure. */
const time = (run: () => void): { wall: number; cpu: number } => {
  const cpu = process.cpuUsage();
  const start = performance.now();
  run();
  const used = process.cpuUsage(cpu);
  return { wall: (performance.now() - start) / 1000, cpu: (used.user + used.system) / 1e6 };
};
const forward = (input: tf.Tensor4D, against: tf.Tensor4D) => (): void => tf.tidy(() => void loss.apply(input, against).dataSync());
const forwardBackward = (): void =>
  tf.tidy(() => {
    const { value, grad } = step(x);
    value.dataSync();
    grad.dataSync();
  });

// Warm-up on a tiny batch: kernels initialised, nothing large allocated.
const tiny = tf.zeros([1, 8, 8, 1]) as tf.Tensor4D;
forward(tiny, tiny)();
const forwardTimes = Array.from({ length: repeats }, () => time(forward(x, target)));
const stepTimes = Array.from({ length: repeats }, () => time(forwardBackward));
const describe = (times: Array<{ wall: number; cpu: number }>) => {
  const best = times.reduce((a, b) => (b.wall < a.wall ? b : a));
  return `${best.wall.toFixed(2)} s wall, ${best.cpu.toFixed(2)} s CPU`;
};
console.log(
  `${backend.name} (${backend.device}): PL on ${batch}×${size}×${size}, best of ${repeats}: ` +
    `forward of both images ${describe(forwardTimes)}; forward + backward into the input ${describe(stepTimes)}`,
);
