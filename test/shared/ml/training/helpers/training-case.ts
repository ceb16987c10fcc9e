import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, expect } from 'vitest';
import type { ExperimentConfig } from '../../../../../shared/config/experiment-config.ts';
import { trainRun, type EpochRecord, type TrainRunOptions } from '../../../../../shared/ml/training/train-run.ts';
import type { TrainRunResult } from '../../../../../shared/ml/training/train-run-options.ts';
import type { LocalArtifactStore } from '../../../../../shared/storage/local-artifact-store.ts';
import { useTempStore } from './temp-store.ts';
import { useCpuBackend } from './tf-cpu.ts';
import { metricsWithoutTimes } from './tiny-run.ts';

/** Options of one trainRun call besides the run id, config and store. */
export type CaseRunOptions = Partial<Omit<TrainRunOptions, 'runId' | 'config' | 'store'>>;

/**
 * One model's training recipe, trained through trainRun on the cpu backend, each test on a
 * fresh temporary store.
 */
export class TrainingCase {
  store!: LocalArtifactStore;
  root!: string;

  constructor(
    /** How the printed epoch lines name the model. */
    private readonly name: string,
    private readonly recipe: (nrEpochs: number) => ExperimentConfig,
  ) {}

  run(runId: string, nrEpochs: number, options: CaseRunOptions = {}): Promise<TrainRunResult> {
    return trainRun({ runId, config: this.recipe(nrEpochs), store: this.store, stopRequested: () => null, onWarning: () => undefined, ...options });
  }

  /** Trains `runId`, prints one line with every epoch as `describe` words it, and returns the result and the epochs' records. */
  async trainReported(runId: string, nrEpochs: number, describe: (record: EpochRecord) => string): Promise<{ result: TrainRunResult; records: EpochRecord[] }> {
    const records: EpochRecord[] = [];
    const result = await this.run(runId, nrEpochs, { onEpochEnd: (record) => void records.push(record) });
    console.log(`${this.name} epochs: ${records.map(describe).join('; ')}`);
    return { result, records };
  }

  /** A file of the run's `latest` checkpoint. */
  checkpointFile(runId: string, name: string): Promise<Buffer> {
    return readFile(join(this.root, `runs/${runId}/checkpoints/latest/${name}`));
  }

  /**
   * Trains `straight` for `nrEpochs`, then `resumed`, preempted once `batches` training
   * steps are done and run again; returns the two results of `resumed`.
   */
  async preemptAndResume(nrEpochs: number, batches: number): Promise<{ preempted: TrainRunResult; resumed: TrainRunResult }> {
    await this.run('straight', nrEpochs);
    let trained = 0;
    const preempted = await this.run('resumed', nrEpochs, { onBatchEnd: () => void trained++, stopRequested: () => (trained === batches ? 'preempt' : null) });
    return { preempted, resumed: await this.run('resumed', nrEpochs) };
  }

  /** The two runs ended bit for bit alike: weights, optimizer state and metrics (timings aside). */
  async expectSameEnd(runId: string, otherRunId: string): Promise<void> {
    for (const name of ['weights.safetensors', 'optimizer.safetensors']) {
      expect((await this.checkpointFile(runId, name)).equals(await this.checkpointFile(otherRunId, name)), name).toBe(true);
    }
    expect(await metricsWithoutTimes(this.store, runId)).toEqual(await metricsWithoutTimes(this.store, otherRunId));
  }
}

/** A TrainingCase for the tests of the file: the cpu backend set up before them. */
export function useTrainingCase(name: string, recipe: (nrEpochs: number) => ExperimentConfig): TrainingCase {
  const training = new TrainingCase(name, recipe);
  beforeAll(useCpuBackend);
  useTempStore((fresh) => {
    training.store = fresh.store;
    training.root = fresh.root;
  });
  return training;
}
