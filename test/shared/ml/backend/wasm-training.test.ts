import { readdirSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { parseYaml } from '../../../../shared/config/parse-yaml.ts';
import { loadExperimentConfigFile } from '../../../../shared/config/load-experiment-config.ts';
import { selectBackend } from '../../../../shared/ml/backend/select-backend.ts';
import { WASM_EXCLUDED_MODELS, WASM_TRAINABLE_MODELS } from '../../../../shared/ml/backend/wasm-trainable-models.ts';
import { buildModel } from '../../../../shared/ml/model-registry.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';
import { buildTrainer } from '../../../../shared/ml/training/trainer-registry.ts';
import { renderPhantom } from '../../../../shared/data/phantoms.ts';

/**
 * Which models train on the wasm backend: each smoke config's model takes two training
 * steps on wasm and on cpu from the same weights and data; the losses must agree. The
 * models that pass are WASM_TRAINABLE_MODELS, which `AELAB_BACKEND=auto` uses, and the
 * WASM_EXCLUDED_MODELS kept off wasm for a stated reason.
 */
const SMOKE_DIR = 'configs/smoke';
// Experiment configs only: configs/smoke also holds sweeps, which name a base config instead of a model.
const smokeConfigs = readdirSync(SMOKE_DIR)
  .filter((file) => file.endsWith('.yaml'))
  .map((file) => `${SMOKE_DIR}/${file}`)
  .filter((path) => {
    const document = parseYaml(readFileSync(path, 'utf8'), path).value;
    return typeof document === 'object' && document !== null && 'model' in document;
  });

async function twoSteps(backend: 'cpu' | 'wasm', configPath: string): Promise<number[]> {
  await selectBackend(backend);
  const { config } = loadExperimentConfigFile(configPath, { 'trainer.data_loader.params.args.batch_size': 2 });
  const [height, width] = config.trainer.dataLoader.targetSize;
  const model = buildModel(config.model, { mode: config.mode, random: new SeededRandom(3), inputSize: [height, width] });
  const trainer = buildTrainer(model, config);
  const images = new Float32Array(2 * height * width);
  for (let i = 0; i < 2; i += 1) images.set(renderPhantom({ seed: 1, index: i, size: [height, width] }).image, i * height * width);
  const losses: number[] = [];
  try {
    for (let step = 0; step < 2; step += 1) {
      const x = tf.tensor4d(images, [2, height, width, 1]);
      losses.push((await trainer.trainStep(x, { epoch: 50, random: new SeededRandom(step) })).loss);
      x.dispose();
    }
  } finally {
    trainer.dispose();
    model.dispose();
  }
  return losses;
}

describe('training on the wasm backend', () => {
  test.each(smokeConfigs)('%s: two steps on wasm match the cpu backend', async (configPath) => {
    const model = loadExperimentConfigFile(configPath).config.model.name;
    const onCpu = await twoSteps('cpu', configPath);
    let onWasm: number[];
    try {
      onWasm = await twoSteps('wasm', configPath);
    } catch (error) {
      console.log(`${model}: does not train on wasm (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
      expect(WASM_TRAINABLE_MODELS.has(model), `${model} is listed as wasm-trainable but failed`).toBe(false);
      return;
    }
    console.log(`${model}: trains on wasm; losses cpu ${onCpu.map((l) => l.toPrecision(6)).join(', ')} wasm ${onWasm.map((l) => l.toPrecision(6)).join(', ')}`);
    // Same weights and data: the first loss agrees to float32 reordering; after one update the
    // two runs drift apart a little (NCC's flat windows amplify rounding), but must stay close.
    expect(Math.abs(onWasm[0] - onCpu[0])).toBeLessThan(1e-3 * Math.max(1, Math.abs(onCpu[0])));
    expect(Math.abs(onWasm[1] - onCpu[1])).toBeLessThan(1e-2 * Math.max(1, Math.abs(onCpu[1])));
    expect(WASM_TRAINABLE_MODELS.has(model) || WASM_EXCLUDED_MODELS.has(model), `${model} trains on wasm: add it to WASM_TRAINABLE_MODELS`).toBe(true);
  });
});
