import { z } from 'zod';

/**
 * Body of `POST /api/v1/runs`: exactly one of `configPath` (a file under `configs/`) or
 * `config` (an object in the structure of the YAML files, or YAML text), plus optional
 * dotted-path overrides such as `{"trainer.params.nr_epochs": 3}`.
 */
export const runSubmissionSchema = z
  .object({
    configPath: z.string().min(1).max(500).optional(),
    config: z
      .union([z.string().min(1), z.record(z.string(), z.unknown())], { error: 'expected YAML text or a mapping of the config' })
      .optional(),
    overrides: z.record(z.string().min(1).max(300), z.unknown()).optional(),
  })
  .strict()
  .refine((body) => (body.configPath === undefined) !== (body.config === undefined), {
    message: 'give exactly one of "configPath" or "config"',
    path: ['configPath'],
  });
export type RunSubmission = z.infer<typeof runSubmissionSchema>;
