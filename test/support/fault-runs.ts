import type { EpochMetrics, RunRecord } from '../../shared/contracts/run-record.ts';
import type { SweepRecord, TrialView } from '../../shared/sweep/sweep-record.ts';
import { LocalArtifactStore } from '../../shared/storage/local-artifact-store.ts';
import { runPaths } from '../../shared/storage/run-paths.ts';
import type { AelabStack } from './aelab-stack.ts';

/** A sweep as GET /api/v1/sweeps/:id shows it. */
export type SweepView = SweepRecord & { trials: TrialView[]; best: { params: Record<string, unknown>; epochsRun: number } | null };

/**
 * A run of the synthetic test model whose epochs take a known wall-clock time, in four
 * batches each: the whole worker machinery (child process, checkpoints, metrics, locks)
 * at no CPU cost, so faults can be timed into the middle of an epoch.
 */
export function slowSyntheticRun(options: { epochs: number; secondsPerEpoch: number; divergeAtEpoch?: number }) {
  return {
    configPath: 'configs/smoke/synthetic.yaml',
    overrides: {
      'trainer.params.nr_epochs': options.epochs,
      'model.params.seconds_per_epoch': options.secondsPerEpoch,
      'trainer.data_loader.params.args.train_count': 32,
      ...(options.divergeAtEpoch === undefined ? {} : { 'model.params.diverge_at_epoch': options.divergeAtEpoch }),
    },
  };
}

/** A grid of 6 synthetic trials (3 learning rates × 2 x) of 4 epochs, each taking `secondsPerEpoch`, 2 at a time. */
export function slowSyntheticGrid(name: string, secondsPerEpoch: number) {
  return syntheticGridSweep(name, secondsPerEpoch, [1e-4, 1e-3, 1e-2], {});
}

/** 4 synthetic trials (2 learning rates × 2 x), 2 at a time, pruned by ASHA at epochs 1, 2 and 4; the best is lr 1e-3, x 0.3. */
export function slowSyntheticAshaSweep(name: string, secondsPerEpoch: number) {
  return syntheticGridSweep(name, secondsPerEpoch, [1e-3, 1e-2], {
    max_trials: 4,
    early_terminate: { type: 'asha', min_epochs: 1, reduction_factor: 2, max_epochs: 4 },
  });
}

function syntheticGridSweep(name: string, secondsPerEpoch: number, learningRates: number[], extra: Record<string, unknown>) {
  return {
    sweep: {
      name,
      base: 'configs/smoke/synthetic.yaml',
      method: 'grid',
      metric: { name: 'val.objective', goal: 'minimize' },
      max_concurrent: 2,
      ...extra,
      parameters: {
        'trainer.params.optimizer_params.lr': { values: learningRates },
        'model.params.x': { values: [0.3, 0.9] },
        'model.params.seconds_per_epoch': { values: [secondsPerEpoch] },
      },
    },
  };
}

export async function submitRun(stack: AelabStack, body: unknown): Promise<string> {
  const { status, body: record } = await stack.request<RunRecord>('POST', '/api/v1/runs', body);
  if (status !== 202) throw new Error(`POST /api/v1/runs → ${status}: ${JSON.stringify(record)}`);
  return record.id;
}

/** The epochs listed in the run's metrics.jsonl, in file order. */
export async function epochsLogged(stack: AelabStack, runId: string): Promise<number[]> {
  const text = await new LocalArtifactStore(stack.storage).readText(runPaths(runId).metrics);
  return text.trim().split('\n').map((line) => (JSON.parse(line) as EpochMetrics).epoch);
}

export function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}

/** Waits until the run is running on a worker with at least `epochs` epochs done. */
export function runningWithEpochs(stack: AelabStack, runId: string, epochs: number, timeoutMs = 120_000): Promise<RunRecord> {
  return stack.waitFor(async () => {
    const run = await stack.run(runId);
    return run.status === 'running' && run.epoch >= epochs && run.worker !== null ? run : null;
  }, timeoutMs, `run ${runId} running with ${epochs} epochs done`);
}

export function finished(stack: AelabStack, runId: string, timeoutMs = 240_000): Promise<RunRecord> {
  return stack.waitFor(async () => {
    const run = await stack.run(runId);
    return run.status === 'completed' || run.status === 'failed' || run.status === 'cancelled' ? run : null;
  }, timeoutMs, `run ${runId} to finish`);
}

/** Waits until the sweep is completed, failed or cancelled. */
export function sweepFinished(stack: AelabStack, sweepId: string, timeoutMs = 300_000): Promise<SweepView> {
  return stack.waitFor(async () => {
    const { body } = await stack.request<SweepView>('GET', `/api/v1/sweeps/${sweepId}`);
    return body.status === 'completed' || body.status === 'failed' || body.status === 'cancelled' ? body : null;
  }, timeoutMs, `sweep ${sweepId} to finish`);
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
