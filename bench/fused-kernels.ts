/**
 * `npm run bench:fused-kernels`: each of our fused kernels against the generic TF.js ops it
 * replaces, on the cpu and wasm backends, in one process per backend run: rounds alternate
 * fused and generic so that both see the same machine load. Prints a markdown table (median
 * milliseconds of each side) and writes it to bench/results/fused-kernels-<date>.md.
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { InPlaceBackend } from '../shared/ml/backend/backend-buffers.ts';
import { WASM_COPY_KERNELS } from '../shared/ml/backend/copy-kernels.ts';
import { ensureGradientsRegistered } from '../shared/ml/backend/register-gradients.ts';
import { selectBackend } from '../shared/ml/backend/select-backend.ts';
import { BatchNorm2d } from '../shared/ml/layers/batch-norm2d.ts';
import { installFrozenBatchNormKernels, uninstallFrozenBatchNormKernels } from '../shared/ml/layers/frozen-batch-norm-kernels.ts';
import { ParameterStore } from '../shared/ml/layers/parameter-store.ts';
import { FUSED_BOX_SUM } from '../shared/ml/losses/box-sum-kernels.ts';
import { nccLoss } from '../shared/ml/losses/ncc-loss.ts';
import { Adam } from '../shared/ml/optim/adam.ts';
import { installAdamKernel, uninstallAdamKernel } from '../shared/ml/optim/adam-kernel.ts';
import { SeededRandom } from '../shared/random/seeded-random.ts';
import { median } from './median.ts';
import { machineLine } from './sweep-bench-stack.ts';
import { writeSweepResults } from './sweep-results-file.ts';

const ROUNDS = 4;
const CALLS_PER_ROUND = 5;

interface KernelCase {
  label: string;
  backends: InPlaceBackend[];
  install(backend: InPlaceBackend): void;
  uninstall(backend: InPlaceBackend): void;
  /** One call of the op, forward and backward where it has one, values read back. */
  run(): void;
}

function kernelCases(): KernelCase[] {
  const params = new Map([['w', tf.variable(tf.randomNormal([3, 3, 256, 256], 0, 1, 'float32', 1))]]);
  const adam = new Adam(params, { lr: 1e-3 });
  const gradient = tf.randomNormal([3, 3, 256, 256], 0, 1, 'float32', 2);
  const norm = new BatchNorm2d(new ParameterStore(new SeededRandom(0)), 'bn', { numFeatures: 16, mode: 'frozen' });
  const x = tf.randomNormal([8, 128, 128, 16], 0, 1, 'float32', 3) as tf.Tensor4D;
  const dy = tf.randomNormal([8, 128, 128, 16], 0, 1, 'float32', 4);
  const [i, j] = [5, 6].map((seed) => tf.randomUniform([8, 128, 128, 1], 0, 1, 'float32', seed) as tf.Tensor4D);
  const deformerMaps = [tf.randomNormal([8, 64, 64, 32], 0, 1, 'float32', 7), tf.randomNormal([8, 64, 64, 48], 0, 1, 'float32', 8), tf.randomNormal([8, 64, 64, 2], 0, 1, 'float32', 9)];
  return [
    {
      label: 'Adam step, one [3, 3, 256, 256] parameter',
      backends: ['cpu', 'wasm'],
      install: installAdamKernel,
      uninstall: uninstallAdamKernel,
      run: () => {
        adam.applyGradients(new Map([['w', gradient]]));
        params.get('w')!.dataSync();
      },
    },
    {
      label: 'frozen BatchNorm forward + backward, [8, 128, 128, 16]',
      backends: ['cpu', 'wasm'],
      install: installFrozenBatchNormKernels,
      uninstall: uninstallFrozenBatchNormKernels,
      run: () => tf.tidy(() => void tf.grads((a: tf.Tensor) => norm.apply(a as tf.Tensor4D, true))([x], dy)[0].dataSync()),
    },
    {
      label: 'NCC loss forward + backward, [8, 128, 128, 1]',
      backends: ['cpu', 'wasm'],
      install: (backend) => FUSED_BOX_SUM.install(backend),
      uninstall: (backend) => FUSED_BOX_SUM.uninstall(backend),
      run: () => tf.tidy(() => void tf.grad((a: tf.Tensor) => nccLoss(a as tf.Tensor4D, j))(i).dataSync()),
    },
    {
      label: 'concat over channels [8, 64, 64, 32 | 48 | 2] + its gradient (SplitV)',
      backends: ['wasm'],
      install: (backend) => WASM_COPY_KERNELS.install(backend),
      uninstall: (backend) => WASM_COPY_KERNELS.uninstall(backend),
      run: () => tf.tidy(() => void tf.grads((...maps: tf.Tensor[]) => tf.concat(maps, 3))(deformerMaps).forEach((g) => g.dataSync())),
    },
  ];
}

function timeCalls(run: () => void): number[] {
  return Array.from({ length: CALLS_PER_ROUND }, () => {
    const start = performance.now();
    run();
    return performance.now() - start;
  });
}

async function benchBackend(backend: InPlaceBackend): Promise<string[]> {
  await selectBackend(backend, 'conv_autoencoder');
  const rows: string[] = [];
  for (const kernelCase of kernelCases().filter((c) => c.backends.includes(backend))) {
    const [fused, generic]: number[][] = [[], []];
    for (let round = 0; round < ROUNDS; round++) {
      kernelCase.install(backend);
      fused.push(...timeCalls(kernelCase.run));
      kernelCase.uninstall(backend);
      generic.push(...timeCalls(kernelCase.run));
    }
    const [f, g] = [median(fused), median(generic)];
    rows.push(`| ${backend} | ${kernelCase.label} | ${f.toFixed(1)} | ${g.toFixed(1)} | ${(g / f).toFixed(2)}× |`);
    process.stderr.write(`${backend}: ${kernelCase.label}: fused ${f.toFixed(1)} ms, generic ${g.toFixed(1)} ms\n`);
  }
  return rows;
}

await ensureGradientsRegistered();
const loadStart = os.loadavg()[0];
const rows = [...(await benchBackend('cpu')), ...(await benchBackend('wasm'))];
const markdown = [
  '# Fused kernels against the generic ops they replace',
  '',
  '- Command: `npm run bench:fused-kernels`',
  `- Machine: ${machineLine()}`,
  `- Method: per backend, ${ROUNDS} rounds of ${CALLS_PER_ROUND} calls with our kernel, then ${CALLS_PER_ROUND} with the generic ops; median call time`,
  `- Load average (1 min): ${loadStart.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end`,
  '',
  '| Backend | Op | Fused (ms) | Generic (ms) | Generic ÷ fused |',
  '|---|---|--:|--:|--:|',
  ...rows,
  '',
].join('\n');
process.stdout.write(markdown);
process.stderr.write(`wrote ${writeSweepResults('fused-kernels', markdown)}\n`);
