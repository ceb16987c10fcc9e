import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adaptConfigToSize } from '../../../bench/size-adapted-params.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** The CXR config the routing checks submit, and the image side they shrink it to. */
export const CXR_CONFIG = 'configs/experiments/cxr/baseline.yaml';
export const TINY_CXR_SIZE = 32;

/**
 * `POST /api/v1/runs` body: the real CXR baseline config, shrunk to one epoch of
 * TINY_CXR_SIZE² images (its network one level shallower per halving, as bench:train
 * adapts it), reading the CXR split CSVs of writeCxrLayoutDataset; `requires: [gpu]` when asked.
 */
export function tinyCxrSubmission(requiresGpu: boolean): { configPath: string; overrides: Record<string, unknown> } {
  const side = [TINY_CXR_SIZE, TINY_CXR_SIZE];
  return {
    configPath: CXR_CONFIG,
    overrides: {
      ...adaptConfigToSize(join(ROOT, CXR_CONFIG), TINY_CXR_SIZE).overrides,
      ...(requiresGpu ? { requires: ['gpu'] } : {}),
      'trainer.params.nr_epochs': 1,
      'trainer.data_loader.params.args.target_size': side,
      'trainer.data_loader.params.args.batch_size': 8,
      'downstream_tasks.pneumonia.data_loader.params.args.target_size': side,
    },
  };
}
