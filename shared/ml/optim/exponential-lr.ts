import { ClosedFormLr } from './closed-form-lr.ts';

/**
 * The official `exponential` schedule as it behaves: `ExponentialLR(gamma=0.97)` stepped
 * with the validation loss as its epoch argument, so PyTorch's closed form gives
 * `lr = base·0.97^loss` — nearly constant (docs/models.md §11.2). The first epoch runs at
 * the base lr.
 */
export class ExponentialLr extends ClosedFormLr {
  readonly name = 'exponential';

  /** `gamma` defaults to 0.97, as in the official trainer. */
  constructor(
    baseLr: number,
    private readonly gamma = 0.97,
  ) {
    super(baseLr);
  }

  protected lrAfter(validationLoss: number): number {
    return this.baseLr * this.gamma ** validationLoss;
  }
}
