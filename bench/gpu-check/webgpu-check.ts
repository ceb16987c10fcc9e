/**
 * The Node half of bench/gpu-check.sh: trains MorphAEus and the baseline AE (the official
 * CXR configs at 128×128, without the perceptual loss) for a few steps per batch size on
 * webgpu and prints one JSON line per case with images/s and GPU memory, then one per
 * golden model with the largest |difference| of its forward outputs between webgpu and
 * the pure-JS cpu backend. Bundled by `bench/gpu-check.sh prepare` so that no
 * node_modules but Dawn's need travel. Usage: webgpu-check.mjs <steps> <batch,batch…> [size]
 * (AELAB_GPU_CHECK_ADAPTER=any also accepts the software adapter; a dry run on it wants a
 * small size, e.g. 32, where the models are adapted as bench/train-throughput.ts does).
 */
// Bundled statically: the dynamic import ensureGradientsRegistered() uses would not be.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadExperimentConfigFile } from '../../shared/config/load-experiment-config.ts';
import { renderPhantom } from '../../shared/data/phantoms.ts';
import { selectBackend } from '../../shared/ml/backend/select-backend.ts';
import { activateWebgpu, describeAdapter, type WebgpuAdapter } from '../../shared/ml/backend/webgpu-backend.ts';
import { buildModel } from '../../shared/ml/model-registry.ts';
import { SeededRandom } from '../../shared/random/seeded-random.ts';
import { buildTrainer } from '../../shared/ml/training/trainer-registry.ts';
import { adaptParamsToSize } from '../size-adapted-params.ts';
import { importStateDict } from '../../shared/ml/weights/import-state-dict.ts';
import { readSafetensors, writeSafetensors } from '../../shared/ml/weights/safetensors.ts';
import { goldenModelDirs, goldenRoot, goldenStateDict, nchwToNhwc, readFloat32Bin, type GoldenModelDir } from '../../test/shared/ml/golden/golden-files.ts';

const CONFIG_SIZE = 128;
const WARMUP_STEPS = 2;
/** The epoch the steps are taken at: past the official morph start (epoch > 10), so MorphAEus trains with its morph loss. */
const EPOCH = 20;
const CASES = [
  { model: 'morphaeus', config: 'configs/experiments/cxr/morphaeus.yaml' },
  { model: 'baseline', config: 'configs/experiments/cxr/baseline.yaml' },
];
const GOLDEN_MODELS = ['baseline', 'morphaeus'];

function print(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

/** MiB of GPU memory in use (first GPU), or null without nvidia-smi. */
function gpuMemoryMiB(): number | null {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=memory.used', '--format=csv,noheader,nounits'], { encoding: 'utf8' });
    return Number(out.split('\n')[0].trim());
  } catch {
    return null;
  }
}

function phantomBatch(batch: number, size: number): tf.Tensor4D {
  const pixels = size * size;
  const images = new Float32Array(batch * pixels);
  for (let i = 0; i < batch; i += 1) images.set(renderPhantom({ seed: 7, index: i, size: [size, size] }).image, i * pixels);
  return tf.tensor4d(images, [batch, size, size, 1]);
}

async function timeTraining(caseSpec: (typeof CASES)[number], batch: number, steps: number, size: number): Promise<void> {
  const { raw } = loadExperimentConfigFile(caseSpec.config);
  const modelParams = (raw.model as { params?: Record<string, unknown> | null }).params ?? {};
  const { config } = loadExperimentConfigFile(caseSpec.config, {
    ...adaptParamsToSize(caseSpec.model === 'baseline' ? 'conv_autoencoder' : caseSpec.model, modelParams, CONFIG_SIZE, size).overrides,
    'trainer.params.alfa': 0,
    'trainer.data_loader.params.args.batch_size': batch,
    'trainer.data_loader.params.args.target_size': [size, size],
  });
  const model = buildModel(config.model, { mode: config.mode, random: new SeededRandom(config.seed), inputSize: [size, size] });
  const trainer = buildTrainer(model, config);
  trainer.beginEpoch?.(EPOCH);
  const x = phantomBatch(batch, size);
  const random = new SeededRandom(1);
  const memoryBefore = gpuMemoryMiB();
  try {
    for (let i = 0; i < WARMUP_STEPS; i += 1) await trainer.trainStep(x, { epoch: EPOCH, random });
    const started = performance.now();
    let loss = Number.NaN;
    for (let i = 0; i < steps; i += 1) loss = (await trainer.trainStep(x, { epoch: EPOCH, random })).loss;
    const seconds = (performance.now() - started) / 1000;
    print({
      kind: 'train',
      model: caseSpec.model,
      size,
      batch,
      steps,
      seconds: Number(seconds.toFixed(3)),
      images_per_s: Number(((steps * batch) / seconds).toFixed(2)),
      last_loss: loss,
      gpu_memory_mib: gpuMemoryMiB(),
      gpu_memory_before_mib: memoryBefore,
    });
  } finally {
    x.dispose();
    trainer.dispose();
    model.dispose();
  }
}

/** The golden input's forward outputs on the active backend, by output name. */
async function goldenForward({ dir, manifest }: GoldenModelDir, modelName: string): Promise<Map<string, Float32Array>> {
  const [n, c, height, width] = manifest.input.shape;
  const model = buildModel({ name: modelName, params: manifest.model_params }, { mode: 'reference', random: new SeededRandom(1), inputSize: [height, width] });
  try {
    importStateDict(model, readSafetensors(writeSafetensors(goldenStateDict(manifest))), { source: `${manifest.model} golden weights` });
    const outputs = tf.tidy(() => {
      const x = tf.tensor4d(nchwToNhwc(readFloat32Bin(path.join(dir, manifest.input.file)), manifest.input.shape), [n, height, width, c]);
      const out = model.forward(x, { training: false });
      const all: Record<string, tf.Tensor | undefined> = { ...out.extras, x_rec: out.xRec, z: out.z };
      return Object.fromEntries(manifest.outputs.flatMap((o) => (all[o.name] ? [[o.name, all[o.name]!] as const] : [])));
    });
    const values = new Map<string, Float32Array>();
    for (const [name, tensor] of Object.entries(outputs)) values.set(name, (await tensor.data()) as Float32Array);
    tf.dispose(Object.values(outputs));
    return values;
  } finally {
    model.dispose();
  }
}

async function compareGolden(adapter: WebgpuAdapter): Promise<void> {
  const registryName: Record<string, string> = { baseline: 'conv_autoencoder', morphaeus: 'morphaeus' };
  const dirs = goldenModelDirs(goldenRoot()).filter((d) => GOLDEN_MODELS.includes(path.basename(d.dir)));
  for (const golden of dirs) {
    const name = path.basename(golden.dir);
    await activateWebgpu(adapter.software ? 'any' : 'hardware');
    const onGpu = await goldenForward(golden, registryName[name]);
    await selectBackend('cpu');
    const onCpu = await goldenForward(golden, registryName[name]);
    let maxDiff = 0;
    for (const [output, values] of onGpu) {
      const reference = onCpu.get(output)!;
      for (let i = 0; i < values.length; i += 1) maxDiff = Math.max(maxDiff, Math.abs(values[i] - reference[i]));
    }
    print({ kind: 'golden', model: name, outputs: [...onGpu.keys()], max_abs_diff_webgpu_vs_cpu: maxDiff, tolerance: golden.manifest.tolerance.max_abs_error });
  }
}

async function main(): Promise<void> {
  const [stepsArg = '5', batchesArg = '8,64', sizeArg = String(CONFIG_SIZE)] = process.argv.slice(2);
  const steps = Number(stepsArg);
  const size = Number(sizeArg);
  const batches = batchesArg.split(',').map(Number);
  const preference = process.env.AELAB_GPU_CHECK_ADAPTER === 'any' ? 'any' : 'hardware';
  tf.env().set('PROD', true);
  const adapter = await activateWebgpu(preference);
  if (adapter === null) throw new Error(`no ${preference === 'any' ? '' : 'hardware '}WebGPU adapter (Vulkan driver and loader reachable? VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES ?? ''})`);
  print({ kind: 'adapter', ...adapter, device_string: describeAdapter(adapter) });
  for (const caseSpec of CASES) {
    for (const batch of batches) await timeTraining(caseSpec, batch, steps, size);
  }
  await compareGolden(adapter);
}

await main();
