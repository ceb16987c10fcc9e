import { checkSchedulerState, type LrScheduler, type LrSchedulerState } from './lr-scheduler.ts';

/**
 * A schedule whose next learning rate is a function of the validation loss alone (the
 * official cosine and exponential schedules as they behave, and `none`), so that its whole
 * saved state is the current learning rate.
 */
export abstract class ClosedFormLr implements LrScheduler {
  abstract readonly name: string;
  private currentLr: number;

  constructor(protected readonly baseLr: number) {
    this.currentLr = baseLr;
  }

  get lr(): number {
    return this.currentLr;
  }

  step(validationLoss: number): number {
    this.currentLr = this.lrAfter(validationLoss);
    return this.currentLr;
  }

  state(): LrSchedulerState {
    return { name: this.name, lr: this.currentLr };
  }

  restore(state: LrSchedulerState): void {
    checkSchedulerState(state, this.name, []);
    this.currentLr = state.lr;
  }

  /** The learning rate of the epoch after one that validated at `validationLoss`. */
  protected abstract lrAfter(validationLoss: number): number;
}
