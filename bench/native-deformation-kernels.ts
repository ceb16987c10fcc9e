/**
 * `npm run bench:native-deformation`: the fused warp and NCC window-sum kernel pairs
 * (forward then gradient, called straight through the engine) with their native passes
 * against their JavaScript passes, on the cpu and wasm backends of one process, at MorphAEus'
 * 128², batch 8 sizes. Rounds alternate the two implementations so both see the same machine
 * load; each side reports its median wall time and median process CPU time (user + system)
 * per call, CPU time being the steadier measure on a shared machine. Writes
 * bench/results/native-deformation-<date>.md.
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { InPlaceBackend } from '../shared/ml/backend/backend-buffers.ts';
import { computeThreads } from '../shared/ml/backend/compute-threads.ts';
import type { FusedImplementation, FusedKernelPair } from '../shared/ml/backend/fused-kernel-pair.ts';
import { ensureGradientsRegistered } from '../shared/ml/backend/register-gradients.ts';
import { selectBackend } from '../shared/ml/backend/select-backend.ts';
import { FUSED_WARP } from '../shared/ml/deformation/bilinear-warp-kernels.ts';
import { FUSED_BOX_SUM } from '../shared/ml/losses/box-sum-kernels.ts';
import { median } from './median.ts';
import { machineLine } from './sweep-bench-stack.ts';
import { writeSweepResults } from './sweep-results-file.ts';

const ROUNDS = 5;
const CALLS_PER_ROUND = 10;
const IMPLEMENTATIONS: FusedImplementation[] = ['javascript', 'native'];

interface PairCase {
  label: string;
  pair: FusedKernelPair;
  inputs: tf.NamedTensorMap;
  /** dy of the gradient kernel: the forward output's shape. */
  dy: tf.Tensor;
  attrs: tf.NamedAttrMap;
}

function pairCases(): PairCase[] {
  const image = tf.randomUniform([8, 128, 128, 1], 0, 1, 'float32', 1);
  const flow = tf.randomNormal([8, 128, 128, 2], 0, 2, 'float32', 2);
  return [
    { label: 'warp of the image [8, 128, 128, 1] by a flow', pair: FUSED_WARP, inputs: { src: image, flow }, dy: tf.randomNormal(image.shape, 0, 1, 'float32', 3), attrs: {} },
    { label: 'self-warp of a flow [8, 128, 128, 2] (integration step)', pair: FUSED_WARP, inputs: { src: flow, flow }, dy: tf.randomNormal(flow.shape, 0, 1, 'float32', 4), attrs: {} },
    { label: 'NCC window sums (9×9) of [8, 128, 128, 1]', pair: FUSED_BOX_SUM, inputs: { x: image }, dy: tf.randomNormal(image.shape, 0, 1, 'float32', 5), attrs: { window: 9 } },
  ];
}

/** Wall and CPU milliseconds of each of CALLS_PER_ROUND forward + gradient calls. */
function timeCalls(c: PairCase): { wall: number[]; cpu: number[] } {
  const times = { wall: [] as number[], cpu: [] as number[] };
  for (let call = 0; call < CALLS_PER_ROUND; call++) {
    const [start, cpuStart] = [performance.now(), process.cpuUsage()];
    tf.tidy(() => {
      const outputs = [tf.engine().runKernel(c.pair.forwardName, c.inputs, c.attrs)].flat();
      outputs.push(...[tf.engine().runKernel(c.pair.gradientName, { ...c.inputs, dy: c.dy }, c.attrs)].flat());
      for (const output of outputs) (output as tf.Tensor).dataSync();
    });
    const cpu = process.cpuUsage(cpuStart);
    times.wall.push(performance.now() - start);
    times.cpu.push((cpu.user + cpu.system) / 1000);
  }
  return times;
}

async function benchBackend(backend: InPlaceBackend): Promise<string[]> {
  await selectBackend(backend, 'morphaeus');
  const rows: string[] = [];
  for (const c of pairCases()) {
    const times = new Map(IMPLEMENTATIONS.map((implementation) => [implementation, { wall: [] as number[], cpu: [] as number[] }]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const implementation of IMPLEMENTATIONS) {
        if (c.pair.install(backend, implementation) !== implementation) throw new Error(`the ${implementation} kernels are not available`);
        const round = timeCalls(c);
        times.get(implementation)!.wall.push(...round.wall);
        times.get(implementation)!.cpu.push(...round.cpu);
      }
    }
    c.pair.install(backend);
    const [js, native] = IMPLEMENTATIONS.map((implementation) => times.get(implementation)!);
    const cells = [median(js.wall), median(native.wall), median(js.wall) / median(native.wall), median(js.cpu), median(native.cpu), median(js.cpu) / median(native.cpu)];
    rows.push(`| ${backend} | ${c.label} | ${cells.map((v, k) => (k % 3 === 2 ? `${v.toFixed(1)}×` : v.toFixed(2))).join(' | ')} |`);
    process.stderr.write(`${rows.at(-1)}\n`);
  }
  return rows;
}

await ensureGradientsRegistered();
const loadStart = os.loadavg()[0];
const rows = [...(await benchBackend('cpu')), ...(await benchBackend('wasm'))];
const markdown = [
  '# Native against JavaScript passes of the deformation kernel pairs',
  '',
  '- Command: `npm run bench:native-deformation`',
  `- Machine: ${machineLine()}; native kernels on ${computeThreads()} thread(s) (AELAB_THREADS)`,
  `- Method: per backend and case, ${ROUNDS} rounds of ${CALLS_PER_ROUND} calls (forward kernel, then gradient kernel, outputs read) with the JavaScript passes, then ${CALLS_PER_ROUND} with the native ones; medians per call`,
  `- Load average (1 min): ${loadStart.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end`,
  '',
  '| Backend | Kernel pair | JS wall (ms) | Native wall (ms) | JS ÷ native | JS CPU (ms) | Native CPU (ms) | JS ÷ native |',
  '|---|---|--:|--:|--:|--:|--:|--:|',
  ...rows,
  '',
].join('\n');
process.stdout.write(markdown);
process.stderr.write(`wrote ${writeSweepResults('native-deformation', markdown)}\n`);
