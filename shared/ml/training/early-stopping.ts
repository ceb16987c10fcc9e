/** Saved early-stopping state (JSON). */
export interface EarlyStoppingState {
  /** Best loss so far; null before the first call. */
  bestLoss: number | null;
  /** Epochs in a row without an improvement larger than `minDelta`. */
  counter: number;
  stop: boolean;
}

/** Settings; defaults are the official `EarlyStopping` (docs/models.md §11.3). */
export interface EarlyStoppingOptions {
  /** Epochs without improvement before stopping; default 25. */
  patience?: number;
  /** An improvement must exceed this; default 1e-8 (the official `10e-9`). */
  minDelta?: number;
}

/**
 * The official early stopping: the first call only stores the loss; a loss lower than
 * the best by more than `minDelta` becomes the best and resets the counter; anything
 * else counts, and at `counter >= patience` training stops after this epoch.
 */
export class EarlyStopping {
  readonly patience: number;
  readonly minDelta: number;
  private bestLoss: number | null = null;
  private counter = 0;
  private stop = false;

  constructor(options: EarlyStoppingOptions = {}) {
    this.patience = options.patience ?? 25;
    this.minDelta = options.minDelta ?? 1e-8;
  }

  /** Takes the epoch's validation loss; true when training must stop. */
  step(validationLoss: number): boolean {
    if (this.bestLoss === null) {
      this.bestLoss = validationLoss;
    } else if (this.bestLoss - validationLoss > this.minDelta) {
      this.bestLoss = validationLoss;
      this.counter = 0;
    } else {
      this.counter += 1;
      if (this.counter >= this.patience) this.stop = true;
    }
    return this.stop;
  }

  get shouldStop(): boolean {
    return this.stop;
  }

  state(): EarlyStoppingState {
    return { bestLoss: this.bestLoss, counter: this.counter, stop: this.stop };
  }

  restore(state: EarlyStoppingState): void {
    if ((state.bestLoss !== null && typeof state.bestLoss !== 'number') || !Number.isInteger(state.counter) || typeof state.stop !== 'boolean') {
      throw new Error(`early-stopping state is malformed: ${JSON.stringify(state)}`);
    }
    this.bestLoss = state.bestLoss;
    this.counter = state.counter;
    this.stop = state.stop;
  }
}
