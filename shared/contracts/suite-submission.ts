import { z } from 'zod';

/** Body of `POST /api/v1/suites`: a suite file under `configs/` or the suite itself (object or YAML text). */
export const suiteSubmissionSchema = z
  .object({
    configPath: z.string().min(1).max(500).optional(),
    suite: z
      .union([z.string().min(1), z.record(z.string(), z.unknown())], { error: 'expected YAML text or a mapping of the suite' })
      .optional(),
    /** How messages name an inline suite, e.g. the file the CLI read it from. */
    source: z.string().min(1).max(500).optional(),
  })
  .strict()
  .refine((body) => (body.configPath === undefined) !== (body.suite === undefined), {
    message: 'give exactly one of "configPath" or "suite"',
    path: ['configPath'],
  });
