/**
 * `npm run bench:conv-layers`: every convolution of one training step of a config, one row per
 * layer: shape, stride, channels, FLOPs, and the time of our forward, input-gradient and
 * filter-gradient kernels against PyTorch's (2 threads by default) on the same geometry.
 * Both sides replay each call alone (`--repeats` times, the fastest counts: on a shared machine
 * it is the least disturbed), so a row compares kernels, not the rest of the step. With
 * `--clock cpu` both sides run on one thread and count the process's CPU time instead of wall
 * time: a measure of the work each kernel does that other jobs on the machine barely change. Writes bench/results/conv-layers-<date>.md and prints it.
 * Usage: npm run bench:conv-layers -- [--models baseline] [--size 128] [--batch 8] [--repeats 7] [--clock wall|cpu]
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { loadExperimentConfigFile } from '../shared/config/load-experiment-config.ts';
import { selectBackend } from '../shared/ml/backend/select-backend.ts';
import { installNativeConvKernels, type NativeKernelBackend } from '../shared/ml/backend/native-conv-kernels.ts';
import { buildModel } from '../shared/ml/model-registry.ts';
import { SeededRandom } from '../shared/random/seeded-random.ts';
import { buildTrainer } from '../shared/ml/training/trainer-registry.ts';
import { allConfigs, REPO_ROOT, selectConfigs, tfjsVersion } from './bench-configs.ts';
import { positiveInt } from './bench-options.ts';
import { findTorchPython } from './official-python.ts';
import { phantomImages } from './phantom-batch.ts';
import { adaptConfigToSize } from './size-adapted-params.ts';
import { machineLine } from './sweep-bench-stack.ts';
import { writeSweepResults } from './sweep-results-file.ts';

const CONV_KERNELS = [tf.Conv2D, tf.Conv2DBackpropInput, tf.Conv2DBackpropFilter] as const;
type ConvKernelName = (typeof CONV_KERNELS)[number];
const PYTORCH_SCRIPT = path.join(REPO_ROOT, 'bench/conv-layers-pytorch.py');

/** One convolution as the forward pass sees it: x [b,h,w,ci] ⊛ w [kh,kw,ci,co] → [b,ho,wo,co]. */
export interface ConvLayer {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kh: number;
  kw: number;
  stride: number;
  padTop: number;
  padLeft: number;
  padBottom: number;
  padRight: number;
}

interface RecordedCall {
  kernel: ConvKernelName;
  inputs: tf.NamedTensorInfoMap;
  attrs: tf.NamedAttrMap;
  layer: ConvLayer;
}

type LayerTimes = Record<ConvKernelName, number | undefined>;
type Clock = 'wall' | 'cpu';

const options = new Command()
  .option('--models <name>', 'config (or model) name', 'baseline')
  .option('--size <pixels>', 'image side', positiveInt, 128)
  .option('--batch <n>', 'batch size', positiveInt, 8)
  .option('--repeats <n>', 'timed calls per kernel and layer (the fastest counts)', positiveInt, 7)
  .option('--threads <n>', "PyTorch's threads", positiveInt, 2)
  .option('--python <interpreter>', 'python with torch')
  .option('--clock <clock>', 'wall: wall time on --threads threads; cpu: CPU time on one thread', clockOption, 'wall')
  .parse()
  .opts<{ models: string; size: number; batch: number; repeats: number; threads: number; python?: string; clock: Clock }>();

function clockOption(text: string): Clock {
  if (text !== 'wall' && text !== 'cpu') throw new InvalidArgumentError(`expected wall or cpu, got "${text}"`);
  return text;
}

/** Milliseconds by the chosen clock: wall time, or the CPU time of every thread of the process. */
function clockMs(): number {
  if (options.clock === 'wall') return performance.now();
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

function layerOf(kernel: ConvKernelName, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): ConvLayer {
  const a = attrs as unknown as tf.Conv2DAttrs & { inputShape?: number[]; filterShape?: number[] };
  const xShape = (kernel === tf.Conv2DBackpropInput ? a.inputShape : inputs.x?.shape) as [number, number, number, number];
  const filterShape = (kernel === tf.Conv2DBackpropFilter ? a.filterShape : inputs.filter?.shape) as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
  return {
    batch: info.batchSize, inH: info.inHeight, inW: info.inWidth, inC: info.inChannels,
    outH: info.outHeight, outW: info.outWidth, outC: info.outChannels, kh: info.filterHeight, kw: info.filterWidth,
    stride: info.strideHeight, padTop: info.padInfo.top, padLeft: info.padInfo.left,
    padBottom: info.padInfo.bottom, padRight: info.padInfo.right,
  };
}

/** Runs one training step with the three convolution kernels wrapped to record their calls. */
async function recordStepCalls(configName: string): Promise<{ calls: RecordedCall[]; backend: string }> {
  const config = selectConfigs(allConfigs(), [configName])[0];
  const adapted = adaptConfigToSize(config.path, options.size);
  const overrides = {
    ...adapted.overrides,
    'trainer.data_loader.params.args.target_size': [options.size, options.size],
    'trainer.data_loader.params.args.batch_size': options.batch,
    'trainer.params.alfa': 0,
  };
  const backend = await selectBackend('auto', config.modelName);
  const loaded = loadExperimentConfigFile(config.path, overrides).config;
  const model = buildModel(loaded.model, { mode: loaded.mode, random: new SeededRandom(loaded.seed), inputSize: [options.size, options.size] });
  const trainer = buildTrainer(model, loaded);
  const calls: RecordedCall[] = [];
  const originals = CONV_KERNELS.map((kernel) => tf.getKernel(kernel, tf.getBackend()));
  for (const original of originals) {
    tf.unregisterKernel(original.kernelName, original.backendName);
    tf.registerKernel({
      ...original,
      kernelFunc: (args) => {
        const kernel = original.kernelName as ConvKernelName;
        const attrs = { ...(args.attrs ?? {}) };
        calls.push({ kernel, inputs: args.inputs, attrs, layer: layerOf(kernel, args.inputs, attrs) });
        return original.kernelFunc(args);
      },
    });
  }
  const x = tf.tensor4d(phantomImages(options.batch, options.size), [options.batch, options.size, options.size, 1]);
  await trainer.trainStep(x, { epoch: 20, random: new SeededRandom(1) });
  for (const original of originals) {
    tf.unregisterKernel(original.kernelName, original.backendName);
    tf.registerKernel(original);
  }
  x.dispose();
  return { calls, backend: `${backend.name}: ${backend.device}` };
}

/** Fastest of `repeats` calls (milliseconds) of the recorded kernel on fresh inputs of the same shapes. */
function replay(call: RecordedCall): number {
  const inputs: tf.NamedTensorMap = {};
  for (const [name, info] of Object.entries(call.inputs)) {
    if (info !== undefined) inputs[name] = tf.randomNormal(info.shape, 0, 1, 'float32', 3);
  }
  const times: number[] = [];
  for (let i = 0; i <= options.repeats; i += 1) {
    const start = clockMs();
    const out = tf.engine().runKernel(call.kernel, inputs, call.attrs) as tf.Tensor;
    out.dataSync();
    if (i > 0) times.push(clockMs() - start);
    out.dispose();
  }
  tf.dispose(Object.values(inputs));
  return Math.min(...times);
}

const layerKey = (layer: ConvLayer): string => JSON.stringify(layer);

function pytorchTimes(layers: ConvLayer[]): LayerTimes[] {
  const python = findTorchPython(options.python);
  const threads = options.clock === 'cpu' ? 1 : options.threads;
  const args = [PYTORCH_SCRIPT, '--threads', String(threads), '--clock', options.clock, '--repeats', String(options.repeats), JSON.stringify(layers)];
  const result = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (result.status !== 0) throw new Error(`conv-layers-pytorch.py failed: ${result.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  const rows = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '[]') as Array<[number, number, number]>;
  return rows.map(([forward, input, filter]) => ({ [tf.Conv2D]: forward, [tf.Conv2DBackpropInput]: input, [tf.Conv2DBackpropFilter]: filter }) as LayerTimes);
}

const flops = (l: ConvLayer): number => 2 * l.batch * l.outH * l.outW * l.outC * l.kh * l.kw * l.inC;
const ms = (value: number | undefined): string => (value === undefined ? '–' : value.toFixed(2));

function tableRows(layers: ConvLayer[], ours: Map<string, LayerTimes>, theirs: LayerTimes[]): string[] {
  const totals = { ours: [0, 0, 0], theirs: [0, 0, 0], flops: 0 };
  const rows = layers.map((layer, index) => {
    const mine = ours.get(layerKey(layer)) as LayerTimes;
    const cells = CONV_KERNELS.map((kernel, k) => {
      totals.ours[k] += mine[kernel] ?? 0;
      totals.theirs[k] += mine[kernel] === undefined ? 0 : (theirs[index][kernel] ?? 0);
      return `${ms(mine[kernel])} / ${ms(mine[kernel] === undefined ? undefined : theirs[index][kernel])}`;
    });
    const work = flops(layer);
    totals.flops += work * CONV_KERNELS.filter((kernel) => mine[kernel] !== undefined).length;
    const ourSum = CONV_KERNELS.reduce((sum, kernel) => sum + (mine[kernel] ?? 0), 0);
    const rate = (work * CONV_KERNELS.filter((kernel) => mine[kernel] !== undefined).length) / ourSum / 1e6;
    return `| ${index + 1} | ${layer.batch}×${layer.inH}×${layer.inW}×${layer.inC} → ${layer.outH}×${layer.outW}×${layer.outC} | ${layer.kh}×${layer.kw}/${layer.stride} | ${(work / 1e9).toFixed(3)} | ${cells.join(' | ')} | ${rate.toFixed(0)} |`;
  });
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const total = CONV_KERNELS.map((_, k) => `${totals.ours[k].toFixed(1)} / ${totals.theirs[k].toFixed(1)}`);
  rows.push(`| all | | | ${(totals.flops / 1e9).toFixed(2)} (all passes) | ${total.join(' | ')} | ${(totals.flops / sum(totals.ours) / 1e6).toFixed(0)} |`);
  return rows;
}

async function main(): Promise<void> {
  const loadAtStart = os.loadavg()[0];
  const { calls, backend } = await recordStepCalls(options.models);
  if (options.clock === 'cpu') installNativeConvKernels(tf.getBackend() as NativeKernelBackend, 1);
  const layers: ConvLayer[] = [];
  const ours = new Map<string, LayerTimes>();
  for (const call of calls) {
    const key = layerKey(call.layer);
    if (!ours.has(key)) {
      layers.push(call.layer);
      ours.set(key, { [tf.Conv2D]: undefined, [tf.Conv2DBackpropInput]: undefined, [tf.Conv2DBackpropFilter]: undefined } as LayerTimes);
    }
    const times = ours.get(key) as LayerTimes;
    if (times[call.kernel] === undefined) times[call.kernel] = replay(call);
  }
  const theirs = pytorchTimes(layers);
  const command = `npm run bench:conv-layers -- --models ${options.models} --size ${options.size} --batch ${options.batch} --repeats ${options.repeats} --threads ${options.threads} --clock ${options.clock}`;
  const lines = [
    `# Convolutions of one training step: ${options.models}, ${options.size}², batch ${options.batch}`,
    '',
    `- Command: \`${command}\``,
    `- Machine: ${machineLine()}; tfjs-core ${tfjsVersion()}; ours on ${backend}; PyTorch ${options.threads} thread(s)${options.clock === 'cpu' ? '; with --clock cpu both sides on ONE thread, process CPU time' : ''}`,
    `- Load average (1 min): ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end`,
    `- Each cell: ours / PyTorch, fastest of ${options.repeats} calls (ms of ${options.clock === 'cpu' ? 'CPU time, one thread' : 'wall time'}) of that kernel alone on that geometry (one row per distinct geometry, in the order the step first ran it); – where the step does not run that pass. GFLOP/s: ours, all passes of the row.`,
    '',
    '| # | x → y (NHWC) | kernel/stride | GFLOP per pass | forward | input grad | filter grad | GFLOP/s |',
    '|--:|---|---|--:|--:|--:|--:|--:|',
    ...tableRows(layers, ours, theirs),
  ];
  const file = writeSweepResults('conv-layers', `${lines.join('\n')}\n`);
  process.stdout.write(`${lines.join('\n')}\n\nwritten to ${file}\n`);
}

await main();
