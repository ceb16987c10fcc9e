import { describe, expect, it } from 'vitest';
import { phantomData, tinyConfig } from './helpers/tiny-config.ts';
import { useTrainingCase } from './helpers/training-case.ts';

const training = useTrainingCase('vae', (nrEpochs) =>
  tinyConfig({
    nrEpochs,
    size: 32,
    batchSize: 2,
    lr: 5e-3,
    lrScheduler: 'plateau',
    loss: 'vae_loss',
    model: { name: 'vae', params: { input_size: [1, 32, 32], h_size: [8, 16, 16, 32], z_dim: 16 } },
    data: phantomData(16, 4),
  }),
);

describe('Hahn VAE through the reconstruction trainer', () => {
  it('lowers its VAELoss on 32×32 phantoms (reference: z = mu in training, plateau schedule)', async () => {
    const { records } = await training.trainReported('vae', 3, (r) => `loss ${r.train.loss.toFixed(2)} val ${r.val.loss_prec.toFixed(2)} in ${r.time_s.toFixed(2)} s`);
    // The loss carries the constant ½·ln(2π) per pixel (≈ 940.9 for 32×32); what can fall lies above it.
    const floor = 32 * 32 * 0.5 * Math.log(2 * Math.PI);
    expect(records[2].train.loss - floor).toBeLessThan((records[0].train.loss - floor) * 0.8);
    expect(records[2].val.loss_prec).toBeLessThan(records[0].val.loss_prec);
  });
});
