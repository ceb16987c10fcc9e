import { describe, expect, it } from 'vitest';
import { reconcileIntervalSeconds } from '../../../shared/recovery/reconcile-schedule.ts';

describe('AELAB_RECONCILE_SECONDS', () => {
  it('defaults to 30 s, takes fractions, and refuses what is not a positive number, naming the variable', () => {
    expect(reconcileIntervalSeconds({})).toBe(30);
    expect(reconcileIntervalSeconds({ AELAB_RECONCILE_SECONDS: '1.5' })).toBe(1.5);
    expect(() => reconcileIntervalSeconds({ AELAB_RECONCILE_SECONDS: '0' })).toThrow('AELAB_RECONCILE_SECONDS: expected a positive number of seconds, got "0"');
    expect(() => reconcileIntervalSeconds({ AELAB_RECONCILE_SECONDS: 'soon' })).toThrow(/AELAB_RECONCILE_SECONDS.*"soon"/);
  });
});
