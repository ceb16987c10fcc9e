import { describe, expect, it } from 'vitest';
import { phantomData, tinyConfig } from './helpers/tiny-config.ts';
import { useTrainingCase } from './helpers/training-case.ts';

const training = useTrainingCase('ae-d', (nrEpochs) =>
  tinyConfig({
    nrEpochs,
    size: 32,
    batchSize: 2,
    lr: 1e-2,
    loss: 'l1',
    model: {
      name: 'dense_conv_autoencoder',
      params: { in_channels: 1, channels: [4, 8, 8], strides: [2, 2, 2, 2], out_ch: 1, kernel_size: 5, norm: 'batch', act: 'leakyrelu', deconv_mode: 'trans' },
    },
    data: phantomData(16, 4),
  }),
);

describe('AE-D through the reconstruction trainer', () => {
  it('lowers its L1 loss on 32×32 phantoms (AE-D layout with 4/8/8 channels)', async () => {
    const { records } = await training.trainReported('ae-d', 3, (r) => `loss ${r.train.loss.toFixed(4)} val ${r.val.loss_prec.toFixed(4)} in ${r.time_s.toFixed(2)} s`);
    expect(records[2].train.loss).toBeLessThan(records[0].train.loss * 0.8);
    expect(records[2].val.loss_prec).toBeLessThan(records[0].val.loss_prec);
  });
});
