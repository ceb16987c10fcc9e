import { ConfigError } from '../../config/config-error.ts';
import type { ComponentRef } from '../../config/experiment-config.ts';
import { l1Loss } from './l1-loss.ts';
import { l2Loss } from './l2-loss.ts';
import type { ReconstructionLoss } from './reconstruction-loss.ts';
import { buildVaeHigLoss } from './vae-hig-loss.ts';
import { buildVaeLoss } from './vae-loss.ts';

export interface BuildLossOptions {
  /** `reference` reproduces the official losses' quirks; `corrected` switches them off. Default reference. */
  mode: 'reference' | 'corrected';
}

/** Builds a fresh criterion (stateful ones keep their own state) from `loss.params`. */
type LossFactory = (params: Record<string, unknown>, options: BuildLossOptions) => ReconstructionLoss;

const LOSSES: Readonly<Record<string, LossFactory>> = {
  l1: () => l1Loss,
  l2: () => l2Loss,
  vae_loss: buildVaeLoss,
  vae_hig_loss: buildVaeHigLoss,
};

/** The registry names `buildReconstructionLoss` knows. */
export const RECONSTRUCTION_LOSS_NAMES: readonly string[] = Object.keys(LOSSES);

/** The reconstruction criterion a config names (`trainer.params.loss`), its params validated. */
export function buildReconstructionLoss(ref: ComponentRef, options: BuildLossOptions = { mode: 'reference' }): ReconstructionLoss {
  if (!Object.hasOwn(LOSSES, ref.name)) {
    throw new ConfigError('experiment config', {
      key: 'trainer.params.loss',
      message: `no reconstruction loss "${ref.name}" in this version; known: ${RECONSTRUCTION_LOSS_NAMES.join(', ')}`,
    });
  }
  return LOSSES[ref.name](ref.params, options);
}
