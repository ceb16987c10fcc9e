import { ConfigError } from '../../config/config-error.ts';
import { ConstantLr } from './constant-lr.ts';
import { CosineAnnealingLr } from './cosine-annealing-lr.ts';
import { ExponentialLr } from './exponential-lr.ts';
import type { LrScheduler } from './lr-scheduler.ts';
import { ReduceLrOnPlateau } from './reduce-lr-on-plateau.ts';

const SCHEDULERS: Readonly<Record<string, (baseLr: number) => LrScheduler>> = {
  none: (baseLr) => new ConstantLr(baseLr),
  plateau: (baseLr) => new ReduceLrOnPlateau(baseLr),
  cosine: (baseLr) => new CosineAnnealingLr(baseLr),
  exponential: (baseLr) => new ExponentialLr(baseLr),
};

export const LR_SCHEDULER_NAMES: readonly string[] = Object.keys(SCHEDULERS);

/** The schedule `trainer.params.lr_scheduler` names, with the official settings. */
export function buildLrScheduler(name: string, baseLr: number): LrScheduler {
  if (!Object.hasOwn(SCHEDULERS, name)) {
    throw new ConfigError('experiment config', {
      key: 'trainer.params.lr_scheduler',
      message: `unknown lr scheduler "${name}"; known: ${LR_SCHEDULER_NAMES.join(', ')}`,
    });
  }
  return SCHEDULERS[name](baseLr);
}
