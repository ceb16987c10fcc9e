import { ConfigError } from '../../config/config-error.ts';
import type { ComponentRef } from '../../config/experiment-config.ts';
import { l1Loss } from './l1-loss.ts';
import { l2Loss } from './l2-loss.ts';
import type { ReconstructionLoss } from './reconstruction-loss.ts';

const LOSSES: Readonly<Record<string, ReconstructionLoss>> = {
  l1: l1Loss,
  l2: l2Loss,
};

/** The registry names `buildReconstructionLoss` knows. */
export const RECONSTRUCTION_LOSS_NAMES: readonly string[] = Object.keys(LOSSES);

/** The reconstruction criterion a config names (`trainer.params.loss`). */
export function buildReconstructionLoss(ref: ComponentRef): ReconstructionLoss {
  if (!Object.hasOwn(LOSSES, ref.name)) {
    throw new ConfigError('experiment config', {
      key: 'trainer.params.loss',
      message: `no reconstruction loss "${ref.name}" in this version; known: ${RECONSTRUCTION_LOSS_NAMES.join(', ')}`,
    });
  }
  return LOSSES[ref.name];
}
