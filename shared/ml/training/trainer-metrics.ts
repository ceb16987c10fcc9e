import type { ExperimentConfig } from '../../config/experiment-config.ts';
import { selectOnKey } from '../../config/select-on.ts';

/**
 * The metrics each trainer writes into every epoch's record (metrics.jsonl), as
 * `train.<key>` (trainStep's result) and `val.<key>` (validateBatch's result). Only the
 * ones present from the first epoch on: a sweep compares trials at any epoch. `withAlfa`
 * are there only when `trainer.params.alfa` > 0 (the perceptual loss is on). MorphTrainer's
 * morph terms (`train.loss_ncc`, `loss_reg`, `loss_morph`) start at `morph_start_epoch`
 * and so are not listed.
 */
export const TRAINER_METRICS: Readonly<Record<string, { always: readonly string[]; withAlfa: readonly string[] }>> = {
  reconstruction: {
    always: ['val.loss_prec', 'val.loss_mse', 'train.loss'],
    withAlfa: ['val.loss_pl', 'train.loss_rec', 'train.loss_pl'],
  },
  morph: {
    always: ['val.loss_prec', 'val.loss_mse', 'train.loss', 'train.loss_rec', 'train.beta'],
    withAlfa: ['val.loss_pl', 'train.loss_pl'],
  },
  aae: {
    always: ['val.loss_rec', 'val.loss_mse', 'train.loss', 'train.loss_rec', 'train.loss_e', 'train.loss_d', 'train.loss_g', 'train.loss_zd'],
    withAlfa: [],
  },
  sivae: {
    always: [
      'val.loss_prec',
      'val.loss_mse',
      'train.loss',
      'train.loss_e',
      'train.loss_d',
      'train.loss_rec',
      'train.kl_real',
      'train.expelbo_rec',
      'train.expelbo_fake',
    ],
    withAlfa: [],
  },
  synthetic: { always: ['val.objective', 'train.loss'], withAlfa: [] },
};

/** The metrics a run of `config` reports every epoch; empty for a trainer not listed. */
export function metricsOfRun(config: ExperimentConfig): string[] {
  const listed = Object.hasOwn(TRAINER_METRICS, config.trainer.name) ? TRAINER_METRICS[config.trainer.name] : undefined;
  if (listed === undefined) return [];
  const { alfa, selectOn, selectEvery } = config.trainer.params;
  // A `select_on` metric scored every epoch is in every record too, so a sweep may rank trials on it.
  const selected = selectOn !== null && selectEvery === 1 ? [`val.${selectOnKey(selectOn)}`] : [];
  return alfa > 0 ? [...listed.always, ...listed.withAlfa, ...selected] : [...listed.always, ...selected];
}
