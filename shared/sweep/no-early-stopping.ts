import type { TrialScheduler } from './scheduler.ts';

/** The scheduler of a sweep without `earlyTerminate`: every trial trains its full budget at once. */
export class NoEarlyStopping implements TrialScheduler {
  constructor(private readonly fullBudget: number) {}

  rungs(): number[] {
    return [this.fullBudget];
  }

  decide(): 'stop' {
    return 'stop';
  }

  promotable(): null {
    return null;
  }
}
