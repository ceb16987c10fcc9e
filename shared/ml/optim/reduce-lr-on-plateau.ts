import { checkSchedulerState, type LrScheduler, type LrSchedulerState } from './lr-scheduler.ts';

/** Settings; the defaults are PyTorch's `ReduceLROnPlateau` as the official `plateau` schedule builds it. */
export interface ReduceLrOnPlateauOptions {
  /** Multiplies the learning rate on a plateau; default 0.1. */
  factor?: number;
  /** Epochs without improvement that are tolerated; the lr drops on the next one. Default 10. */
  patience?: number;
  /** Relative improvement needed: better means `loss < best·(1 − threshold)`. Default 1e-4. */
  threshold?: number;
  /** Epochs after a reduction during which bad epochs are not counted; default 0. */
  cooldown?: number;
  /** Floor of the learning rate; default 0. */
  minLr?: number;
  /** A reduction smaller than this is skipped; default 1e-8. */
  eps?: number;
}

/** PyTorch `ReduceLROnPlateau(mode='min', threshold_mode='rel')`. */
export class ReduceLrOnPlateau implements LrScheduler {
  readonly name = 'plateau';
  private currentLr: number;
  private readonly settings: Required<ReduceLrOnPlateauOptions>;
  /** Best loss so far; null before the first step (PyTorch's +inf). */
  private best: number | null = null;
  private badEpochs = 0;
  private cooldownLeft = 0;

  constructor(baseLr: number, options: ReduceLrOnPlateauOptions = {}) {
    this.currentLr = baseLr;
    this.settings = {
      factor: options.factor ?? 0.1,
      patience: options.patience ?? 10,
      threshold: options.threshold ?? 1e-4,
      cooldown: options.cooldown ?? 0,
      minLr: options.minLr ?? 0,
      eps: options.eps ?? 1e-8,
    };
  }

  get lr(): number {
    return this.currentLr;
  }

  step(validationLoss: number): number {
    if (this.best === null || validationLoss < this.best * (1 - this.settings.threshold)) {
      this.best = validationLoss;
      this.badEpochs = 0;
    } else {
      this.badEpochs += 1;
    }
    if (this.cooldownLeft > 0) {
      this.cooldownLeft -= 1;
      this.badEpochs = 0;
    }
    if (this.badEpochs > this.settings.patience) {
      const reduced = Math.max(this.currentLr * this.settings.factor, this.settings.minLr);
      if (this.currentLr - reduced > this.settings.eps) this.currentLr = reduced;
      this.cooldownLeft = this.settings.cooldown;
      this.badEpochs = 0;
    }
    return this.currentLr;
  }

  state(): LrSchedulerState {
    return { name: this.name, lr: this.currentLr, best: this.best, badEpochs: this.badEpochs, cooldownLeft: this.cooldownLeft };
  }

  restore(state: LrSchedulerState): void {
    checkSchedulerState(state, this.name, ['badEpochs', 'cooldownLeft']);
    if (state.best !== null && typeof state.best !== 'number') throw new Error(`lr scheduler state "plateau": best must be a number or null`);
    this.currentLr = state.lr;
    this.best = state.best;
    this.badEpochs = state.badEpochs as number;
    this.cooldownLeft = state.cooldownLeft as number;
  }
}
