import { checkSchedulerState, type LrScheduler, type LrSchedulerState } from './lr-scheduler.ts';

/**
 * The official `exponential` schedule as it behaves: `ExponentialLR(gamma=0.97)` stepped
 * with the validation loss as its epoch argument, so PyTorch's closed form gives
 * `lr = base·0.97^loss` — nearly constant (docs/models.md §11.2). The first epoch runs at
 * the base lr.
 */
export class ExponentialLr implements LrScheduler {
  readonly name = 'exponential';
  private currentLr: number;

  /** `gamma` defaults to 0.97, as in the official trainer. */
  constructor(
    private readonly baseLr: number,
    private readonly gamma = 0.97,
  ) {
    this.currentLr = baseLr;
  }

  get lr(): number {
    return this.currentLr;
  }

  step(validationLoss: number): number {
    this.currentLr = this.baseLr * this.gamma ** validationLoss;
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
