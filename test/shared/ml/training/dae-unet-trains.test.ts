import { describe, expect, it } from 'vitest';
import type { ExperimentConfig } from '../../../../shared/config/experiment-config.ts';
import { phantomData, tinyConfig } from './helpers/tiny-config.ts';
import { useTrainingCase } from './helpers/training-case.ts';

/**
 * The official DAE recipe (L1 on clean images, GaussianNoise std 0.2 at 16², cosine =
 * AMSGrad with weight decay 1e-5) on a tiny UNet (depth 2, wf 3) and 32×32 phantoms.
 */
function daeConfig(nrEpochs: number): ExperimentConfig {
  const config = tinyConfig({
    nrEpochs,
    size: 32,
    batchSize: 4,
    lr: 5e-3,
    loss: 'l1',
    lrScheduler: 'cosine',
    model: { name: 'dae_unet', params: { in_channels: 1, n_classes: 1, depth: 2, wf: 3, padding: true, norm: 'group', up_mode: 'upconv' } },
    data: phantomData(8, 4),
  });
  config.trainer.params.extra = { transformer: { name: 'gaussian_noise', params: { noise_std: 0.2, noise_res: 16 } } };
  return config;
}

const training = useTrainingCase('dae', daeConfig);

describe('the DAE UNet trains through the reconstruction trainer', () => {
  it('lowers the L1 loss on noisy inputs and on clean validation images', async () => {
    const { result, records } = await training.trainReported('fall', 4, (r) => `${r.time_s.toFixed(2)} s, train ${r.train.loss.toFixed(4)}, val ${r.val.loss_prec.toFixed(4)}`);
    expect(result.status).toBe('completed');
    expect(records[3].train.loss).toBeLessThan(records[0].train.loss * 0.8);
    expect(records[3].val.loss_prec).toBeLessThan(records[0].val.loss_prec * 0.8);
  });

  it('draws its noise from the run seed: preempted mid-epoch and resumed, it ends bit for bit as an uninterrupted run', async () => {
    const { preempted } = await training.preemptAndResume(2, 3);
    expect(preempted).toMatchObject({ status: 'preempted', epochsCompleted: 1 });
    await training.expectSameEnd('resumed', 'straight');
  });
});
