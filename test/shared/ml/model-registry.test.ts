import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildModel, knownModelNames, validateModelParams } from '../../../shared/ml/model-registry.ts';
import { ModelParamsError } from '../../../shared/ml/models/model-params-error.ts';
import { SeededRandom } from '../../../shared/random/seeded-random.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const AE_S = { in_channels: 1, channels: [32, 64, 128], strides: [2, 2, 2, 2], out_ch: 1, kernel_size: 5, norm: 'batch', act: 'leakyrelu', deconv_mode: 'trans' };

function problems(params: Record<string, unknown>): string {
  try {
    validateModelParams({ name: 'conv_autoencoder', params });
  } catch (error) {
    expect(error).toBeInstanceOf(ModelParamsError);
    return (error as Error).message;
  }
  throw new Error('expected the params to be refused');
}

describe('model registry', () => {
  test('an unknown model name lists the known ones', () => {
    expect(knownModelNames()).toContain('conv_autoencoder');
    expect(() => validateModelParams({ name: 'conv_autoencodr', params: {} })).toThrow(
      `model.name: unknown model "conv_autoencodr"; known models: ${knownModelNames().join(', ')}`,
    );
  });

  test('the official AE-S params validate and build', () => {
    expect(() => validateModelParams({ name: 'conv_autoencoder', params: AE_S })).not.toThrow();
    const model = buildModel({ name: 'conv_autoencoder', params: { ...AE_S, channels: [4, 8, 8] } }, { mode: 'reference', random: new SeededRandom(0), inputSize: [32, 32] });
    expect(model.name).toBe('conv_autoencoder');
    model.dispose();
  });

  test('bad params are named by their config key', () => {
    expect(problems({ ...AE_S, channels: [32, 'x', 128] })).toMatch(/^model\.params\.channels\[1\]: /m);
    expect(problems({ ...AE_S, kernel_size: 0 })).toMatch(/^model\.params\.kernel_size: /m);
    expect(problems({ ...AE_S, act: 'gelu' })).toMatch(/^model\.params\.act: .*swish/m);
    expect(problems({ ...AE_S, strides: [2, 2] })).toMatch(/^model\.params\.strides: expected 3 or 4 strides for 3 channels, got 2$/m);
    expect(problems({ ...AE_S, strides: [2, 1, 2, 2] })).toMatch(/^model\.params\.strides\[1\]: deconv_mode trans needs strides of at least 2/m);
    const { channels: _channels, ...withoutChannels } = AE_S;
    expect(problems(withoutChannels)).toMatch(/^model\.params\.channels: /m);
  });

  test('an unknown key is named, with the known keys', () => {
    expect(problems({ ...AE_S, kernelsize: 5 })).toMatch(/^model\.params\.kernelsize: unknown parameter \(known: in_channels, channels, strides, .*\)$/m);
  });
});
