import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadExperimentConfigFile } from '../../../../shared/config/load-experiment-config.ts';
import { syntheticObjective } from '../../../../shared/ml/models/synthetic-objective.ts';
import { trainRun, type EpochRecord } from '../../../../shared/ml/training/train-run.ts';
import type { LocalArtifactStore } from '../../../../shared/storage/local-artifact-store.ts';
import { tempStore } from './helpers/temp-store.ts';
import { useCpuBackend } from './helpers/tf-cpu.ts';

beforeAll(useCpuBackend);

let store: LocalArtifactStore;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ store, cleanup } = await tempStore()));
afterEach(() => cleanup());

const smoke = (overrides: Record<string, unknown>) => loadExperimentConfigFile('configs/smoke/synthetic.yaml', overrides).config;

async function train(overrides: Record<string, unknown>): Promise<{ records: EpochRecord[]; seconds: number; best: unknown }> {
  const records: EpochRecord[] = [];
  const started = performance.now();
  const result = await trainRun({
    runId: 'synthetic',
    config: smoke(overrides),
    store,
    stopRequested: () => null,
    onWarning: () => undefined,
    onEpochEnd: (record) => void records.push(record),
  });
  expect(result.status).toBe('completed');
  return { records, seconds: (performance.now() - started) / 1000, best: result.best };
}

describe('the synthetic trainer through trainRun', () => {
  it('reports the known function of lr, x, y and category at every epoch', async () => {
    const { records, best } = await train({
      'trainer.params.optimizer_params.lr': 1e-4,
      'model.params.x': 0.9,
      'model.params.y': 2,
      'model.params.category': 'b',
    });
    const expected = [0, 1, 2, 3].map((epoch) => syntheticObjective({ lr: 1e-4, x: 0.9, y: 2, category: 'b' }, epoch));
    // 1 + 0.36 + 0.4 + 0.25 + 1/(epoch + 1)
    expect(expected[0]).toBeCloseTo(3.01, 10);
    expect(records.map((record) => record.val.objective)).toEqual(expected.map((value) => expect.closeTo(value, 5)));
    expect(records.map((record) => record.train.loss)).toEqual(expected.map((value) => expect.closeTo(value, 5)));
    expect(best).toMatchObject({ epoch: 3, metric: 'val.objective' });
  });

  it('is best at lr 1e-3, x 0.3', async () => {
    const { records } = await train({ 'trainer.params.optimizer_params.lr': 1e-3, 'model.params.x': 0.3, 'trainer.params.nr_epochs': 1 });
    expect(records[0].val.objective).toBeCloseTo(1, 5);
  });

  it('an epoch takes seconds_per_epoch', async () => {
    const { seconds, records } = await train({ 'model.params.seconds_per_epoch': 0.2, 'trainer.params.nr_epochs': 2 });
    for (const record of records) {
      expect(record.time_s).toBeGreaterThanOrEqual(0.2);
      expect(record.time_s).toBeLessThan(0.6);
    }
    expect(seconds).toBeGreaterThanOrEqual(0.4);
  });

  it("diverges on cue: diverge_at_epoch makes that epoch's loss NaN", async () => {
    const run = trainRun({
      runId: 'diverging',
      config: smoke({ 'model.params.diverge_at_epoch': 2 }),
      store,
      stopRequested: () => null,
      onWarning: () => undefined,
    });
    await expect(run).rejects.toThrow(/^diverged at epoch 2: training loss is NaN/);
  });
});
