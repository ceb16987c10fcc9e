import { describe, expect, it } from 'vitest';
import type { ExperimentConfig } from '../../../../shared/config/experiment-config.ts';
import { loadCheckpoint } from '../../../../shared/ml/training/checkpoint.ts';
import { phantomData, tinyConfig } from './helpers/tiny-config.ts';
import { type CaseRunOptions, useTrainingCase } from './helpers/training-case.ts';

/** The original 64×64 BetaVAE_H (no additional layer), z_dim 8, with the CXR VAEHigLoss; 2 train and 1 val batch per epoch. */
function betaVaeConfig(nrEpochs: number): ExperimentConfig {
  const config = tinyConfig({
    nrEpochs,
    size: 64,
    batchSize: 4,
    lr: 2e-3,
    model: { name: 'beta_vae', params: { nc: 1, z_dim: 8, additional_layer: false } },
    data: phantomData(8, 2),
  });
  config.trainer.params.loss = { name: 'vae_hig_loss', params: { beta: 4, gamma: 2, max_capacity: 50, loss_type: 'B' } };
  return config;
}

const training = useTrainingCase('beta_vae', betaVaeConfig);
const run = (runId: string, options: CaseRunOptions = {}) => training.run(runId, 3, options);

const lossState = async (runId: string): Promise<unknown> => (await loadCheckpoint(training.store, runId, 'latest'))?.state.training.trainer;
const weights = (runId: string) => training.checkpointFile(runId, 'weights.safetensors');

describe('β-VAE through the reconstruction trainer', () => {
  it('lowers its VAEHigLoss on phantoms, counts every training and validation call, and resumes both count and sampling noise exactly', async () => {
    const { records } = await training.trainReported('straight', 3, (r) => `loss ${r.train.loss.toFixed(4)} in ${r.time_s.toFixed(2)} s`);
    expect(records[2].train.loss).toBeLessThan(records[0].train.loss * 0.8);
    expect(await lossState('straight')).toEqual({ loss: { calls: 3 * (2 + 1) } });

    let trained = 0;
    const preempted = await run('resumed', { onBatchEnd: () => void trained++, stopRequested: () => (trained === 3 ? 'preempt' : null) });
    expect(preempted).toMatchObject({ status: 'preempted', epochsCompleted: 1 });
    // Epoch 0: 2 training + 1 validation call; epoch 1: 1 training call so far.
    expect(await lossState('resumed')).toEqual({ loss: { calls: 4 } });
    await run('resumed');
    expect(await lossState('resumed')).toEqual({ loss: { calls: 9 } });
    expect((await weights('resumed')).equals(await weights('straight'))).toBe(true);
  });
});
