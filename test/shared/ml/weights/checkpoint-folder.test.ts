import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AutoencoderModel } from '../../../../shared/ml/autoencoder-model.ts';
import { selectBackend } from '../../../../shared/ml/backend/select-backend.ts';
import { buildConvAutoencoder } from '../../../../shared/ml/models/conv-autoencoder.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';
import {
  readCheckpointFolder,
  restoreCheckpointFolder,
  writeCheckpointFolder,
  type CheckpointModel,
} from '../../../../shared/ml/weights/checkpoint-folder.ts';

const description: CheckpointModel = {
  model: { name: 'conv_autoencoder', params: { channels: [4, 8], strides: [2, 2] } },
  mode: 'reference',
  inputSize: [8, 8],
};
const build = (seed: number, channels = [4, 8]): AutoencoderModel =>
  buildConvAutoencoder({ channels, strides: [2, 2] }, { mode: 'reference', random: new SeededRandom(seed), inputSize: [8, 8] });
const reconstruction = (model: AutoencoderModel): number[] =>
  tf.tidy(() => Array.from(model.forward(tf.reshape(tf.linspace(0, 1, 64), [1, 8, 8, 1]) as tf.Tensor4D, { training: false }).xRec.dataSync()));

let directory: string;
beforeAll(async () => {
  await selectBackend('cpu');
  directory = mkdtempSync(join(tmpdir(), 'aelab-checkpoint-folder-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('checkpoint folder', () => {
  test('write → read → restore reproduces the model; model.json comes back', async () => {
    const source = build(1);
    const folder = await writeCheckpointFolder(join(directory, 'a'), source, description, { file: '/x/model.safetensors', sha256: 'abc' });
    const target = build(2);
    expect(reconstruction(target)).not.toEqual(reconstruction(source));
    const checkpoint = await readCheckpointFolder(folder);
    expect(checkpoint.model).toEqual(description);
    restoreCheckpointFolder(target, checkpoint);
    expect(reconstruction(target)).toEqual(reconstruction(source));
    expect(JSON.parse(readFileSync(join(folder, 'state.json'), 'utf8')).importedFrom).toEqual({ file: '/x/model.safetensors', sha256: 'abc' });
    source.dispose();
    target.dispose();
  });

  test('a damaged weights file, another architecture and an occupied folder are refused by name', async () => {
    const model = build(1);
    const folder = await writeCheckpointFolder(join(directory, 'b'), model, description);
    const weights = join(folder, 'weights.safetensors');
    const bytes = readFileSync(weights);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(weights, bytes);
    await expect(readCheckpointFolder(folder)).rejects.toThrow(`${weights}: sha256`);

    const wider = build(1, [4, 16]);
    const good = await readCheckpointFolder(await writeCheckpointFolder(join(directory, 'c'), model, description));
    expect(() => restoreCheckpointFolder(wider, good)).toThrow('"encoder.conv__encode_1.weight" has shape [3, 3, 4, 8], the model conv_autoencoder expects [3, 3, 4, 16]');
    await expect(writeCheckpointFolder(join(directory, 'c'), model, description)).rejects.toThrow('is not empty');
    model.dispose();
    wider.dispose();
  });
});
