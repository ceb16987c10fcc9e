import { fileOrInlineSubmissionSchema } from './file-or-inline-submission.ts';

/** Body of `POST /api/v1/sweeps`: a sweep file under `configs/` or the sweep itself (object or YAML text). */
export const sweepSubmissionSchema = fileOrInlineSubmissionSchema('sweep', {});
