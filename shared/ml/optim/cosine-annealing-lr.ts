import { ClosedFormLr } from './closed-form-lr.ts';

/**
 * The official `cosine` schedule as it behaves: `CosineAnnealingLR(T_max=100)` stepped
 * with the validation loss as its epoch argument, so PyTorch's closed form gives
 * `lr = base·(1 + cos(π·loss/100))/2` — effectively the base lr for any loss near 0
 * (docs/models.md §11.2). The first epoch runs at the base lr.
 */
export class CosineAnnealingLr extends ClosedFormLr {
  readonly name = 'cosine';

  /** `tMax` defaults to 100 and `etaMin` to 0, as in the official trainer. */
  constructor(
    baseLr: number,
    private readonly tMax = 100,
    private readonly etaMin = 0,
  ) {
    super(baseLr);
  }

  protected lrAfter(validationLoss: number): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * validationLoss) / this.tMax))) / 2;
  }
}
