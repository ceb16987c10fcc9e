import { z } from 'zod';

/** Body of `POST /api/v1/sweeps`: a sweep file under `configs/` or the sweep itself (object or YAML text). */
export const sweepSubmissionSchema = z
  .object({
    configPath: z.string().min(1).max(500).optional(),
    sweep: z
      .union([z.string().min(1), z.record(z.string(), z.unknown())], { error: 'expected YAML text or a mapping of the sweep' })
      .optional(),
  })
  .strict()
  .refine((body) => (body.configPath === undefined) !== (body.sweep === undefined), {
    message: 'give exactly one of "configPath" or "sweep"',
    path: ['configPath'],
  });
