import { z } from 'zod';
import { fileOrInlineSubmissionSchema } from './file-or-inline-submission.ts';

/** Body of `POST /api/v1/suites`: a suite file under `configs/` or the suite itself (object or YAML text). */
export const suiteSubmissionSchema = fileOrInlineSubmissionSchema('suite', {
  /** How messages name an inline suite, e.g. the file the CLI read it from. */
  source: z.string().min(1).max(500).optional(),
});
