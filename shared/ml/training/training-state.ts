import { z } from 'zod';
import type { LrSchedulerState } from '../optim/lr-scheduler.ts';
import type { EarlyStoppingState } from './early-stopping.ts';
import type { BestSoFar } from './epoch-record.ts';

/** Where training stands: the epoch being (or next to be) trained and how many of its batches are done. */
export interface TrainingPosition {
  /** 0-based epoch. */
  epoch: number;
  /** Batches of that epoch already trained; 0 at an epoch boundary. */
  batch: number;
}

/** Sums over the batches of an epoch done before an interruption, so a resumed epoch reports the same means. */
export interface EpochProgress {
  /** Per loss name: Σ (batch mean × batch size). */
  lossSums: Record<string, number>;
  /** Training images seen this epoch. */
  images: number;
  /** Seconds spent in training steps this epoch. */
  trainSeconds: number;
  /** Wall-clock seconds of this epoch so far. */
  elapsedSeconds: number;
}

/** Everything besides tensors that a resumed run needs (stored in a checkpoint's state.json). */
export interface TrainingState {
  best: BestSoFar | null;
  earlyStopping: EarlyStoppingState;
  scheduler: LrSchedulerState;
  random: {
    /** The shuffling stream as it was at the start of `position.epoch`, so the same permutation is rebuilt. */
    shuffle: number[];
    /** The stream of the training steps (noise, sampling) at `position`. */
    step: number[];
  };
  /** Partial sums of `position.epoch`; null at an epoch boundary. */
  epochProgress: EpochProgress | null;
  /** Trainer-specific state (JSON), e.g. a loss's call counter; null when the trainer has none. */
  trainer: unknown;
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const count = z.number().int().nonnegative();
const words = z.array(count).length(4);

export const trainingPositionSchema = z.object({ epoch: count, batch: count });

export const trainingStateSchema = z.object({
  best: z.object({ epoch: count, metric: z.string(), value: z.number() }).nullable(),
  earlyStopping: z.object({ bestLoss: z.number().nullable(), counter: count, stop: z.boolean() }),
  scheduler: z.looseObject({ name: z.string(), lr: finite }),
  random: z.object({ shuffle: words, step: words }),
  epochProgress: z
    .object({ lossSums: z.record(z.string(), z.number()), images: count, trainSeconds: finite, elapsedSeconds: finite })
    .nullable(),
  trainer: z.unknown(),
});
