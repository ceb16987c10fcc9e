import type { ExperimentConfig } from '../../../../../shared/config/experiment-config.ts';
import { tinyConfig, type TinyConfigOptions } from './tiny-config.ts';

/**
 * A complete ExperimentConfig for a `morph` run of a 16×16 MorphAEus (16 → 8 → 4 → 2 → 1;
 * the deformer reads the 4² and 8² levels). `extra` holds the morph trainer's own keys
 * (`morph_start_epoch`).
 */
export function tinyMorphConfig(extra: Record<string, unknown> = {}, options: TinyConfigOptions = {}): ExperimentConfig {
  const config = tinyConfig({
    size: 16,
    model: {
      name: 'morphaeus',
      params: { in_channels: 1, channels: [4, 8, 8, 8], strides: [2, 2, 2, 2], nr_ref_channels: 2, kernel_size: 3, norm: 'batch', act: 'swish', deconv_mode: 'stride' },
    },
    ...options,
  });
  config.trainer.name = 'morph';
  config.trainer.params.extra = extra;
  return config;
}
