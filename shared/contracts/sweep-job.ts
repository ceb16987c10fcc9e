import { z } from 'zod';

/** Payload of a `sweep` job: the sweep whose controller it runs. The job id is the sweep id. */
export const sweepJobSchema = z.object({ sweepId: z.string().min(1) });
export type SweepJob = z.infer<typeof sweepJobSchema>;
