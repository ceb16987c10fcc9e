import { z } from 'zod';
import { fileOrInlineSubmissionSchema } from './file-or-inline-submission.ts';

/**
 * Body of `POST /api/v1/runs`: exactly one of `configPath` (a file under `configs/`) or
 * `config` (an object in the structure of the YAML files, or YAML text), plus optional
 * dotted-path overrides such as `{"trainer.params.nr_epochs": 3}`.
 */
export const runSubmissionSchema = fileOrInlineSubmissionSchema('config', {
  overrides: z.record(z.string().min(1).max(300), z.unknown()).optional(),
});
export type RunSubmission = z.infer<typeof runSubmissionSchema>;
