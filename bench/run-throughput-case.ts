/**
 * Child process of bench/train-throughput.ts: trains one model through its real trainer
 * on phantom batches and reports step times and peak memory (see ThroughputCase).
 * Usage (by the parent, via fork): run-throughput-case.ts '<ThroughputCase as JSON>'.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadExperimentConfigFile } from '../shared/config/load-experiment-config.ts';
import { selectBackend } from '../shared/ml/backend/select-backend.ts';
import { WASM_TRAINABLE_MODELS } from '../shared/ml/backend/wasm-trainable-models.ts';
import type { AutoencoderModel } from '../shared/ml/autoencoder-model.ts';
import { buildModel } from '../shared/ml/model-registry.ts';
import { perceptualWeightsPath } from '../shared/ml/losses/perceptual-weights.ts';
import { SeededRandom } from '../shared/random/seeded-random.ts';
import { buildTrainer } from '../shared/ml/training/trainer-registry.ts';
import { kernelTotals } from './kernel-totals.ts';
import { median } from './median.ts';
import { phantomImages } from './phantom-batch.ts';
import { adaptConfigToSize, SizeNotSupportedError } from './size-adapted-params.ts';
import type { CaseMessage, CaseOutcome, ThroughputCase } from './throughput-case.ts';

function send(message: CaseMessage): void {
  if (!process.send) throw new Error('run-throughput-case.ts is started by bench/train-throughput.ts (it reports over IPC)');
  process.send(message);
}

/** Config overrides for the case and notes on every deviation from the config as written. */
function caseOverrides(spec: ThroughputCase): { overrides: Record<string, unknown>; notes: string[] } {
  const { config } = loadExperimentConfigFile(spec.configPath);
  const adapted = adaptConfigToSize(spec.configPath, spec.size);
  const overrides: Record<string, unknown> = {
    ...adapted.overrides,
    'trainer.data_loader.params.args.target_size': [spec.size, spec.size],
    'trainer.data_loader.params.args.batch_size': spec.batch,
  };
  const notes = [...adapted.notes];
  const { alfa } = config.trainer.params;
  if (alfa > 0) {
    const weights = perceptualWeightsPath(config);
    if (weights === undefined) {
      overrides['trainer.params.alfa'] = 0;
      notes.push(`without perceptual loss (alfa ${alfa} → 0; set AELAB_VGG19_WEIGHTS to include it)`);
    } else {
      notes.push(`with perceptual loss (alfa ${alfa}, VGG19 weights ${weights})`);
    }
  }
  return { overrides, notes };
}

async function runCase(spec: ThroughputCase): Promise<CaseOutcome> {
  let prepared: { overrides: Record<string, unknown>; notes: string[] };
  try {
    prepared = caseOverrides(spec);
  } catch (error) {
    if (error instanceof SizeNotSupportedError) return { status: 'unsupported', reason: error.message };
    throw error;
  }
  const backend = await selectBackend(spec.backendRequest, spec.modelName);
  if (backend.name === 'wasm' && !WASM_TRAINABLE_MODELS.has(spec.modelName)) {
    prepared.notes.push('wasm training not checked against cpu for this model (not in WASM_TRAINABLE_MODELS)');
  }
  send({ kind: 'backend', name: backend.name, device: backend.device, notes: prepared.notes });

  const { config } = loadExperimentConfigFile(spec.configPath, prepared.overrides);
  let model: AutoencoderModel;
  try {
    model = buildModel(config.model, { mode: config.mode, random: new SeededRandom(config.seed), inputSize: [spec.size, spec.size] });
  } catch (error) {
    return { status: 'unsupported', reason: firstLine(error) };
  }
  const trainer = buildTrainer(model, config);
  trainer.beginEpoch?.(spec.epoch);
  const x = tf.tensor4d(phantomImages(spec.batch, spec.size), [spec.batch, spec.size, spec.size, 1]);
  const random = new SeededRandom(config.seed + 1);
  let peakRss = 0;
  let peakTfBytes = 0;
  // A step ends when its losses are read back, so on a GPU the time includes the device's work.
  const step = async (): Promise<number> => {
    const start = performance.now();
    await trainer.trainStep(x, { epoch: spec.epoch, random });
    const seconds = (performance.now() - start) / 1000;
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    peakTfBytes = Math.max(peakTfBytes, tf.memory().numBytes);
    return seconds;
  };

  send({ kind: 'stepping' });
  const warmupSeconds: number[] = [];
  for (let i = 0; i < spec.warmupSteps; i += 1) {
    const seconds = await step();
    warmupSeconds.push(seconds);
    send({ kind: 'step', phase: 'warm-up', index: i, seconds });
    if (seconds > spec.maxSeconds) {
      return { status: 'skipped', reason: `one step took ${seconds.toFixed(1)} s (budget ${spec.maxSeconds} s)` };
    }
  }
  const budgetStart = performance.now() - warmupSeconds.reduce((a, b) => a + b, 0) * 1000;
  const stepSeconds: number[] = [];
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < spec.steps; i += 1) {
    const seconds = await step();
    stepSeconds.push(seconds);
    send({ kind: 'step', phase: 'timed', index: i, seconds });
    if (seconds > spec.maxSeconds && spec.warmupSteps === 0) {
      return { status: 'skipped', reason: `one step took ${seconds.toFixed(1)} s (budget ${spec.maxSeconds} s)` };
    }
    const elapsed = (performance.now() - budgetStart) / 1000;
    // Fewer timed steps rather than a case that outlasts its budget (room is left for the
    // memory step below); the table says how many ran.
    if (i + 1 < spec.steps && elapsed + 2 * median(stepSeconds) > spec.maxSeconds) break;
  }
  const cpu = process.cpuUsage(cpuStart);
  // One more, untimed step under tf.profile, which reads the engine's byte count after every
  // kernel: the step's true peak. Not the first step: on wasm a kernel error inside a
  // profile surfaces as an unrelated TypeError, and the first step is where errors happen.
  let memorySeconds = 0;
  const profile = await tf.profile(async () => {
    memorySeconds = await step();
  });
  send({ kind: 'step', phase: 'memory', index: 0, seconds: memorySeconds });
  peakTfBytes = Math.max(peakTfBytes, profile.peakBytes);
  x.dispose();
  trainer.dispose();
  model.dispose();
  peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
  return {
    status: 'measured',
    stepSeconds,
    stepCpuSeconds: (cpu.user + cpu.system) / 1e6,
    warmupSeconds,
    peakRssBytes: peakRss,
    peakTfBytes,
    profiledStep: { seconds: memorySeconds, kernels: kernelTotals(profile.kernels) },
  };
}

/** Bytes of the wasm backend's heap, or null on another backend. */
function wasmHeapBytes(): number | null {
  if (tf.getBackend() !== 'wasm') return null;
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.buffer.byteLength ?? null;
}

/** The error's first line; on wasm with the heap size, since a full heap shows up as odd errors. */
function failureReason(error: unknown): string {
  const heap = wasmHeapBytes();
  if (heap === null) return firstLine(error);
  return `${firstLine(error)} (wasm heap ${(heap / 1024 ** 3).toFixed(2)} GiB of its 4 GiB limit)`;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0];
}

const spec = JSON.parse(process.argv[2] ?? 'null') as ThroughputCase | null;
if (spec === null) throw new Error('usage: run-throughput-case.ts <case JSON> (started by bench/train-throughput.ts)');
let outcome: CaseOutcome;
try {
  outcome = await runCase(spec);
} catch (error) {
  outcome = { status: 'failed', reason: failureReason(error) };
}
send({ kind: 'outcome', outcome });
process.disconnect?.();
