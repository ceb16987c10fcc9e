import { createHash } from 'node:crypto';
import type { ExperimentConfig } from '../../config/experiment-config.ts';

/**
 * sha256 of the settings that shape training: seed, mode, model, trainer and its data,
 * as canonical JSON (sorted keys). A checkpoint records it and a resume with a different
 * value is refused. `nr_epochs` is left out so that a finished run can be extended,
 * `keep_checkpoints` so that a run's disk bound can change, and so are the downstream
 * tasks, which training never reads.
 */
export function trainingConfigHash(config: ExperimentConfig): string {
  const { nrEpochs: _nrEpochs, keepCheckpoints: _keep, selectOn, selectEvery, ...shapingParams } = config.trainer.params;
  // Which checkpoint is kept as best changes no weight; a best chosen on a metric is still part of the run's identity.
  const trainerParams = selectOn === null ? shapingParams : { ...shapingParams, selectOn, selectEvery };
  const shaping = {
    seed: config.seed,
    mode: config.mode,
    model: config.model,
    trainer: { ...config.trainer, params: trainerParams },
  };
  return createHash('sha256').update(canonicalJson(shaping)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
