import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../shared/config/config-error.ts';
import { loadExperimentConfigFile } from '../../../../shared/config/load-experiment-config.ts';
import { buildModel } from '../../../../shared/ml/model-registry.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';
import { loadCheckpoint, restoreWeights } from '../../../../shared/ml/training/checkpoint.ts';
import { trainRun, type EpochRecord } from '../../../../shared/ml/training/train-run.ts';
import { metricsOfRun } from '../../../../shared/ml/training/trainer-metrics.ts';
import { ValidationTaskScorer } from '../../../../shared/ml/training/validation-task-scorer.ts';
import type { LocalArtifactStore } from '../../../../shared/storage/local-artifact-store.ts';
import { tempStore } from './helpers/temp-store.ts';
import { useCpuBackend } from './helpers/tf-cpu.ts';

beforeAll(useCpuBackend);

let store: LocalArtifactStore;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ store, cleanup } = await tempStore()));
afterEach(() => cleanup());

const AUROC = 'phantoms/Opacity_phantoms/auroc';
const smokeWith = (overrides: Record<string, unknown>) => loadExperimentConfigFile('configs/smoke/baseline.yaml', overrides).config;

describe('select_on: checkpoints/best chosen on a labelled validation task', () => {
  it('keeps the epoch of the best validation AUROC, not the one of the lowest validation loss', { timeout: 300_000 }, async () => {
    // Two epochs of the smoke AE: the loss falls in epoch 1 while the opacity AUROC peaks in epoch 0.
    const config = smokeWith({ 'trainer.params.nr_epochs': 2, 'trainer.params.select_on': AUROC });
    const records: EpochRecord[] = [];
    const result = await trainRun({ runId: 'sel', config, store, stopRequested: () => null, onWarning: () => undefined, onEpochEnd: (record) => void records.push(record) });

    const aurocs = records.map((record) => record.val[AUROC]);
    const losses = records.map((record) => record.val.loss_prec);
    const bestAurocEpoch = aurocs.indexOf(Math.max(...aurocs));
    const lowestLossEpoch = losses.indexOf(Math.min(...losses));
    expect(bestAurocEpoch, 'this case needs the two criteria to disagree').not.toBe(lowestLossEpoch);
    expect(result.best).toEqual({ epoch: bestAurocEpoch, metric: `val.${AUROC}`, value: aurocs[bestAurocEpoch] });
    expect(await store.resolveAlias('runs/sel/checkpoints/best')).toBe(`runs/sel/checkpoints/best-${String(bestAurocEpoch + 1).padStart(6, '0')}-000000`);

    // The weights kept as best score that AUROC again.
    const model = buildModel(config.model, { mode: config.mode, random: new SeededRandom(1), inputSize: config.trainer.dataLoader.targetSize });
    try {
      restoreWeights(model, (await loadCheckpoint(store, 'sel', 'best'))!);
      const scorer = (await ValidationTaskScorer.open(config, process.cwd()))!;
      expect(await scorer.score(model)).toBeCloseTo(aurocs[bestAurocEpoch], 10);
    } finally {
      model.dispose();
    }
  });

  it('scores every select_every epochs and at the last one; a sweep may rank on the metric only when it is in every record', () => {
    expect(metricsOfRun(smokeWith({ 'trainer.params.select_on': AUROC }))).toContain(`val.${AUROC}`);
    expect(metricsOfRun(smokeWith({ 'trainer.params.select_on': AUROC, 'trainer.params.select_every': 2 }))).not.toContain(`val.${AUROC}`);
    expect(metricsOfRun(smokeWith({}))).not.toContain(`val.${AUROC}`);
  });

  it('refuses a select_on that names no pathological dataset of a downstream task, or an unknown metric', () => {
    const problem = (selectOn: string) => {
      try {
        smokeWith({ 'trainer.params.select_on': selectOn });
      } catch (error) {
        if (error instanceof ConfigError) return error.message;
        throw error;
      }
      return 'accepted';
    };
    expect(problem('lungs/Opacity_phantoms/auroc')).toMatch(/trainer\.params\.select_on: no downstream task "lungs"; tasks: phantoms/);
    expect(problem('phantoms/Normal_phantoms/auroc')).toMatch(/"Normal_phantoms" is not a pathological dataset of task "phantoms"; choose one of Opacity_phantoms/);
    expect(problem('phantoms/Opacity_phantoms/accuracy')).toMatch(/unknown metric "accuracy"; expected one of auroc, auprc, fpr95/);
    expect(problem('auroc')).toMatch(/expected <task>\/<dataset>\/<metric>/);
  });
});
