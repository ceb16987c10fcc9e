import { describe, expect, it } from 'vitest';
import { seriesOf, smooth } from '../../../apps/web/metric-series.ts';
import { parseScoresCsv } from '../../../apps/web/scores-csv.ts';
import { rungsOf, type TrialEvent } from '../../../apps/web/sweep-view.ts';

const at = '2026-01-01T00:00:00.000Z';

describe('what the web UI draws, computed from what the API returns', () => {
  it('turns metrics.jsonl records into one series per dotted key, epochs counted from 1, losses first', () => {
    const series = seriesOf([
      { epoch: 0, lr: 0.01, train: { loss: 2 }, val: { loss_mse: 3 } },
      { epoch: 1, lr: 0.01, train: { loss: 1, note: 'x' }, val: { loss_mse: Number.NaN } },
    ]);
    expect([...series.keys()]).toEqual(['train.loss', 'val.loss_mse', 'lr']);
    expect(series.get('train.loss')).toEqual([[1, 2], [2, 1]]);
    expect(series.get('val.loss_mse')).toEqual([[1, 3]]);
  });

  it('smooths with a debiased moving average that leaves a constant curve as it is', () => {
    expect(smooth([[1, 5], [2, 5], [3, 5]], 0.9).map(([, y]) => y)).toEqual([5, 5, 5].map((v) => expect.closeTo(v, 10)));
    const stepped = smooth([[1, 0], [2, 10]], 0.5).map(([, y]) => y);
    expect(stepped[1]).toBeCloseTo((0.5 * 0 * 0.5 + 0.5 * 10) / 0.75, 10);
    expect(smooth([[1, 3]], 0)).toEqual([[1, 3]]);
  });

  it('reads scores.csv rows, quoted file names with commas included', () => {
    const rows = parseScoresCsv('task,dataset,file,label,score\nt,Normal,"a,b.png",0,0.1\nt,Sick,d.png,1,0.3\n');
    expect(rows).toEqual([{ task: 't', dataset: 'Normal', label: 0, score: 0.1 }, { task: 't', dataset: 'Sick', label: 1, score: 0.3 }]);
  });

  it('reads the ASHA rungs off the sweep events: who reached each rung and who was promoted from it', () => {
    const events: TrialEvent[] = [
      { type: 'proposed', index: 0, runId: 's-t0', params: {}, budget: 1, at },
      { type: 'proposed', index: 1, runId: 's-t1', params: {}, budget: 1, at },
      { type: 'reported', index: 0, epoch: 1, value: 0.5, at },
      { type: 'reported', index: 1, epoch: 1, value: 0.9, at },
      { type: 'finished', index: 1, status: 'stopped', epochsRun: 1, at },
      { type: 'continued', index: 0, budget: 3, at },
      { type: 'reported', index: 0, epoch: 3, value: 0.2, at },
    ];
    expect(rungsOf(events)).toEqual([
      { epoch: 1, reached: [{ index: 0, value: 0.5 }, { index: 1, value: 0.9 }], promoted: [0] },
      { epoch: 3, reached: [{ index: 0, value: 0.2 }], promoted: [] },
    ]);
  });
});
