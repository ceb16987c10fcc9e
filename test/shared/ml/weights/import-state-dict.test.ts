import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, test } from 'vitest';
import type { AutoencoderModel } from '../../../../shared/ml/autoencoder-model.ts';
import { buildConvAutoencoder } from '../../../../shared/ml/models/conv-autoencoder.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';
import { exportStateDict } from '../../../../shared/ml/weights/export-state-dict.ts';
import { importStateDict } from '../../../../shared/ml/weights/import-state-dict.ts';
import { readSafetensors, writeSafetensors, type SafetensorsTensor } from '../../../../shared/ml/weights/safetensors.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tiny = (seed: number): AutoencoderModel =>
  buildConvAutoencoder(
    { channels: [4, 8], strides: [2, 2], kernel_size: 3, act: 'swish', deconv_mode: 'trans' },
    { mode: 'corrected', random: new SeededRandom(seed), inputSize: [8, 8] },
  );

const reconstruction = (model: AutoencoderModel): number[] =>
  tf.tidy(() => Array.from(model.forward(tf.reshape(tf.linspace(0, 1, 64), [1, 8, 8, 1]) as tf.Tensor4D, { training: false }).xRec.dataSync()));

describe('importStateDict / exportStateDict', () => {
  test('export → safetensors → import reproduces the model, BatchNorm statistics included', () => {
    const source = tiny(1);
    source.forward(tf.randomUniform([4, 8, 8, 1]) as tf.Tensor4D, { training: true });
    const target = tiny(2);
    expect(reconstruction(target)).not.toEqual(reconstruction(source));
    const report = importStateDict(target, readSafetensors(writeSafetensors(exportStateDict(source))));
    expect(report.missing).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(reconstruction(target)).toEqual(reconstruction(source));
    expect(Array.from(target.buffers.get('encoder.conv__batch_0.num_batches_tracked')!.dataSync())).toEqual([1]);
    source.dispose();
    target.dispose();
  });

  test('export writes PyTorch layouts and dtypes in state_dict order', () => {
    const model = tiny(1);
    const exported = exportStateDict(model);
    expect([...exported.keys()].slice(0, 7)).toEqual([
      'encoder.conv__encode_0.weight',
      'encoder.conv__encode_0.bias',
      'encoder.conv__batch_0.weight',
      'encoder.conv__batch_0.bias',
      'encoder.conv__batch_0.running_mean',
      'encoder.conv__batch_0.running_var',
      'encoder.conv__batch_0.num_batches_tracked',
    ]);
    expect(exported.get('encoder.conv__encode_1.weight')!.shape).toEqual([8, 4, 3, 3]);
    expect(exported.get('decoder.conv__decode_0.weight')!.shape).toEqual([8, 8, 3, 3]);
    expect(exported.get('decoder.conv__decode_1.weight')!.shape).toEqual([8, 4, 3, 3]);
    expect(exported.get('encoder.conv__batch_0.num_batches_tracked')).toEqual({ dtype: 'I64', shape: [], data: new BigInt64Array([0n]) });
    // PyTorch (O, I, kh, kw)[o][i][a][b] is TF.js (kh, kw, I, O)[a][b][i][o].
    const torch = exported.get('encoder.conv__encode_1.weight')!.data as Float32Array;
    const tfValues = model.parameters.get('encoder.conv__encode_1.weight')!.dataSync();
    const [o, i, a, b] = [5, 2, 0, 1];
    expect(torch[((o * 4 + i) * 3 + a) * 3 + b]).toBe(tfValues[((a * 3 + b) * 4 + i) * 8 + o]);
    model.dispose();
  });

  test('num_batches_tracked may be absent; F64 weights are narrowed to float32', () => {
    const source = tiny(1);
    const target = tiny(2);
    const entries = [...exportStateDict(source)]
      .filter(([name]) => !name.endsWith('num_batches_tracked'))
      .map(([name, t]): [string, SafetensorsTensor] => [name, { ...t, dtype: 'F64', data: Float64Array.from(t.data as Float32Array) }]);
    expect(importStateDict(target, new Map(entries)).missing).toEqual([]);
    expect(reconstruction(target)).toEqual(reconstruction(source));
    source.dispose();
    target.dispose();
  });

  test('mismatches are all reported by name, and nothing is assigned', () => {
    const model = tiny(1);
    const before = reconstruction(model);
    const weights = exportStateDict(tiny(2));
    weights.delete('decoder.conv__decode_final.bias');
    weights.set('decoder.extra.weight', { dtype: 'F32', shape: [1], data: new Float32Array(1) });
    weights.set('encoder.conv__encode_0.weight', { dtype: 'F32', shape: [4, 1, 5, 5], data: new Float32Array(100) });
    weights.set('encoder.conv__encode_0.bias', { dtype: 'I64', shape: [4], data: new BigInt64Array(4) });
    let message = '';
    try {
      importStateDict(model, weights, { source: 'weights.safetensors' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('weights.safetensors does not fit model conv_autoencoder:');
    expect(message).toContain('encoder.conv__encode_0.weight: shape [4, 1, 5, 5] in the weights, [4, 1, 3, 3] in the model');
    expect(message).toContain('encoder.conv__encode_0.bias: dtype I64, expected a float dtype');
    expect(message).toContain('missing (1): decoder.conv__decode_final.bias');
    expect(message).toContain('unexpected (1): decoder.extra.weight');
    expect(reconstruction(model)).toEqual(before);
    model.dispose();
  });

  test('strict: false loads what fits and reports the rest', () => {
    const model = tiny(1);
    const weights = exportStateDict(tiny(2));
    weights.set('decoder.extra.weight', { dtype: 'F32', shape: [1], data: new Float32Array(1) });
    weights.delete('encoder.conv__batch_1.bias');
    const report = importStateDict(model, weights, { strict: false });
    expect(report.missing).toEqual(['encoder.conv__batch_1.bias']);
    expect(report.unexpected).toEqual(['decoder.extra.weight']);
    expect(report.loaded).toContain('decoder.conv__decode_final.weight');
    model.dispose();
  });
});
