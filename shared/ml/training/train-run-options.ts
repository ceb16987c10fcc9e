import type { ExperimentConfig } from '../../config/experiment-config.ts';
import type { ArtifactStore } from '../../storage/artifact-store.ts';
import type { BatchInfo, BestSoFar, EpochRecord } from './epoch-record.ts';
import type { TrainingPosition } from './training-state.ts';

/** What a stop request asks: `cancel` stops at once, `preempt` saves the position first. */
export type StopRequest = 'cancel' | 'preempt';

export interface TrainRunOptions {
  runId: string;
  config: ExperimentConfig;
  store: ArtifactStore;
  /** Root that the split CSVs' image paths are relative to; default `process.env.AELAB_DATA_ROOT ?? process.cwd()`. */
  dataRoot?: string;
  /**
   * Asked between batches (training and validation). `cancel`: stop now, keep the last
   * checkpoint. `preempt`: write `latest` at the current batch (mid-epoch) and return.
   */
  stopRequested: () => StopRequest | null;
  /** After each epoch's record is appended and its checkpoints are written; `best` is null until a selection was scored. Default: nothing. */
  onEpochEnd?: (record: EpochRecord, progress: { epoch: number; totalEpochs: number; best: BestSoFar | null }) => void | Promise<void>;
  /** After every training batch, for progress bars and ETAs. Default: nothing. */
  onBatchEnd?: (info: BatchInfo) => void | Promise<void>;
  /** Once, before training, when the run continues from a checkpoint. Default: nothing. */
  onResume?: (from: TrainingPosition) => void | Promise<void>;
  /**
   * Awaited before every write to the run's storage (metrics records, checkpoints); it
   * throws to stop the run without writing, when another worker has taken it over.
   * Default: nothing.
   */
  beforeWrite?: () => Promise<void>;
  /** Problems that do not stop the run (a damaged checkpoint skipped, metrics lines dropped). Default: `console.warn`. */
  onWarning?: (message: string) => void;
}

export interface TrainRunResult {
  status: 'completed' | 'early_stopped' | 'cancelled' | 'preempted';
  /** Epochs fully trained and validated, over all attempts of the run. */
  epochsCompleted: number;
  best: BestSoFar | null;
  /** The record of the last epoch this call finished; null when it finished none. */
  lastRecord: EpochRecord | null;
  /** Where this call continued from; null when it started from scratch. */
  resumedFrom: TrainingPosition | null;
}
