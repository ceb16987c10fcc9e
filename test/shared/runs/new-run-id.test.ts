import { describe, expect, it } from 'vitest';
import { newEvaluationId, newRunId, newSweepId } from '../../../shared/runs/new-run-id.ts';
import { sweepOfTrialRun, trialRunId } from '../../../shared/sweep/sweep-paths.ts';

describe('run, sweep and evaluation ids', () => {
  it('name their kind and creation time, so that listings sorted by id are sorted by creation', () => {
    const earlier = new Date('2026-11-27T01:53:12.400Z');
    const later = new Date('2026-11-27T01:53:13.000Z');
    expect(newRunId(earlier)).toMatch(/^r20261127-015312-[0-9a-f]{6}$/);
    expect(newSweepId(earlier)).toMatch(/^s20261127-015312-[0-9a-f]{6}$/);
    expect(newEvaluationId(earlier)).toMatch(/^e20261127-015312-[0-9a-f]{6}$/);
    expect(newSweepId(earlier) < newSweepId(later)).toBe(true);
  });

  it("a sweep's trials are found to be its own from their run ids; a plain run belongs to no sweep", () => {
    const sweepId = newSweepId();
    expect(sweepOfTrialRun(trialRunId(sweepId, 12))).toBe(sweepId);
    expect(sweepOfTrialRun(newRunId())).toBeNull();
  });
});
