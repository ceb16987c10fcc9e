import { checkSchedulerState, type LrScheduler, type LrSchedulerState } from './lr-scheduler.ts';

/** `lr_scheduler: none`: the learning rate never changes. */
export class ConstantLr implements LrScheduler {
  readonly name = 'none';

  constructor(private currentLr: number) {}

  get lr(): number {
    return this.currentLr;
  }

  step(): number {
    return this.currentLr;
  }

  state(): LrSchedulerState {
    return { name: this.name, lr: this.currentLr };
  }

  restore(state: LrSchedulerState): void {
    checkSchedulerState(state, this.name, []);
    this.currentLr = state.lr;
  }
}
