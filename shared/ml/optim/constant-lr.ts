import { ClosedFormLr } from './closed-form-lr.ts';

/** `lr_scheduler: none`: the learning rate never changes. */
export class ConstantLr extends ClosedFormLr {
  readonly name = 'none';

  protected lrAfter(): number {
    return this.lr;
  }
}
