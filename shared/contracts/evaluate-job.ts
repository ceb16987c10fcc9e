import { z } from 'zod';
import { requiredLabelsSchema } from './worker-labels.ts';

/** Body of `POST /api/v1/evaluations`. */
export const evaluationRequestSchema = z
  .object({
    runId: z.string().min(1).max(128),
    /** Which checkpoint of the run; default best. */
    checkpoint: z.enum(['best', 'latest']).default('best'),
    /** Names of the run's downstream tasks; default all. */
    tasks: z.array(z.string().min(1)).min(1).optional(),
    /** Labels the evaluating worker needs; default the run's `requires`. */
    requires: requiredLabelsSchema.optional(),
  })
  .strict();
export type EvaluationRequest = z.infer<typeof evaluationRequestSchema>;

/** Payload of an `evaluate` job; the job id is the evaluation id. */
export const evaluateJobSchema = z.object({
  evalId: z.string().min(1),
  runId: z.string().min(1),
  checkpoint: z.enum(['best', 'latest']),
  tasks: z.array(z.string().min(1)).optional(),
  /** Who asked for it (token name or `anonymous`). */
  submittedBy: z.string().optional(),
});
export type EvaluateJob = z.infer<typeof evaluateJobSchema>;
