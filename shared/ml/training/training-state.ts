import { z } from 'zod';
import type { LrSchedulerState } from '../optim/lr-scheduler.ts';
import type { EarlyStoppingState } from './early-stopping.ts';
import type { BestSoFar } from './epoch-record.ts';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const count = z.number().int().nonnegative();
const words = z.array(count).length(4);

export const trainingPositionSchema = z.object({
  /** 0-based epoch. */
  epoch: count,
  /** Batches of that epoch already trained; 0 at an epoch boundary. */
  batch: count,
});

/** Where training stands: the epoch being (or next to be) trained and how many of its batches are done. */
export type TrainingPosition = z.infer<typeof trainingPositionSchema>;

const epochProgressSchema = z.object({
  /** Per loss name: Σ (batch mean × batch size). */
  lossSums: z.record(z.string(), z.number()),
  /** Training images seen this epoch. */
  images: count,
  /** Seconds spent in training steps this epoch. */
  trainSeconds: finite,
  /** Wall-clock seconds of this epoch so far. */
  elapsedSeconds: finite,
});

/** Sums over the batches of an epoch done before an interruption, so a resumed epoch reports the same means. */
export type EpochProgress = z.infer<typeof epochProgressSchema>;

const bestSoFarSchema: z.ZodType<BestSoFar> = z.object({ epoch: count, metric: z.string(), value: z.number() });
const earlyStoppingSchema: z.ZodType<EarlyStoppingState> = z.object({ bestLoss: z.number().nullable(), counter: count, stop: z.boolean() });
// The scheduler checks its own fields when it restores (checkSchedulerState, with their names),
// so the schema only requires what every schedule has and hands the rest through.
const schedulerSchema = z.looseObject({ name: z.string(), lr: finite }).pipe(z.custom<LrSchedulerState>());

export const trainingStateSchema = z.object({
  best: bestSoFarSchema.nullable(),
  earlyStopping: earlyStoppingSchema,
  scheduler: schedulerSchema,
  random: z.object({
    /** The shuffling stream as it was at the start of `position.epoch`, so the same permutation is rebuilt. */
    shuffle: words,
    /** The stream of the training steps (noise, sampling) at `position`. */
    step: words,
  }),
  /** Partial sums of `position.epoch`; null at an epoch boundary. */
  epochProgress: epochProgressSchema.nullable(),
  /** Trainer-specific state (JSON), e.g. a loss's call counter; null when the trainer has none. */
  trainer: z.unknown(),
});

/** Everything besides tensors that a resumed run needs (stored in a checkpoint's state.json). */
export type TrainingState = z.infer<typeof trainingStateSchema>;
