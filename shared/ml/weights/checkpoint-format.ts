import { z } from 'zod';

/** What a checkpoint folder's state.json says it is, and the version this code reads and writes. */
export const CHECKPOINT_FORMAT = 'aelab-checkpoint';
export const CHECKPOINT_FORMAT_VERSION = 1;

/** The files of a checkpoint folder; `optimizer` only in a run's checkpoints, `model` only in imported ones. */
export const CHECKPOINT_FILES = {
  weights: 'weights.safetensors',
  optimizer: 'optimizer.safetensors',
  state: 'state.json',
  model: 'model.json',
} as const;

/** safetensors dtype of each TF.js dtype a checkpoint holds. */
export const SAFETENSORS_DTYPES = { float32: 'F32', int32: 'I32' } as const;

/** What state.json lists for each binary file of the folder, checked when the file is read. */
export const checkpointFileDigestSchema = z.object({ sha256: z.string(), bytes: z.number().int().nonnegative() });
