import { describe, expect, it } from 'vitest';
import { phantomData } from './helpers/tiny-config.ts';
import { tinyMorphConfig } from './helpers/tiny-morph-config.ts';
import { useTrainingCase } from './helpers/training-case.ts';

/** MorphAEus on 16×16 phantoms, the morph loss from epoch 1, β ramping to 3 over 4 epochs. */
const config = (nrEpochs: number) => {
  const c = tinyMorphConfig(
    { morph_start_epoch: 1 },
    { nrEpochs, batchSize: 4, lr: 5e-3, data: phantomData(12, 4) },
  );
  c.trainer.params.maxIter = 4;
  return c;
};

const training = useTrainingCase('morphaeus', config);

describe('MorphAEus trains through the morph trainer', () => {
  it('the morph loss joins at morph_start_epoch with the ramped β, and the losses fall', async () => {
    const { result, records } = await training.trainReported('fall', 4, (r) => `${r.time_s.toFixed(2)} s, train ${r.train.loss.toFixed(4)} (rec ${r.train.loss_rec.toFixed(4)}), val mse ${r.val.loss_mse.toFixed(4)}`);
    expect(result.status).toBe('completed');
    expect(result.best?.metric).toBe('val.loss_mse');
    expect(Object.keys(records[0].train).sort()).toEqual(['beta', 'loss', 'loss_rec']);
    for (const record of records.slice(1)) {
      expect(Object.keys(record.train).sort()).toEqual(['beta', 'loss', 'loss_morph', 'loss_ncc', 'loss_rec', 'loss_reg']);
    }
    expect(records.map((r) => r.train.beta)).toEqual([1e-3, 0.75, 1.5, 2.25]);
    expect(records[3].train.loss).toBeLessThan(records[1].train.loss);
    expect(records[3].train.loss_rec).toBeLessThan(records[0].train.loss_rec);
    expect(records[3].val.loss_mse).toBeLessThan(records[0].val.loss_mse);
  });

  it('preempted mid-epoch after the switch and run again, it ends bit for bit where an uninterrupted run ends', async () => {
    const { preempted, resumed } = await training.preemptAndResume(2, 5);
    expect(preempted).toMatchObject({ status: 'preempted', epochsCompleted: 1 });
    expect(resumed).toMatchObject({ status: 'completed', resumedFrom: { epoch: 1, batch: 2 } });
    await training.expectSameEnd('resumed', 'straight');
  });
});
