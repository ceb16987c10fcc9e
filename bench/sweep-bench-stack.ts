import os from 'node:os';
import { stat } from 'node:fs/promises';
import type { RunRecord } from '../shared/contracts/run-record.ts';
import type { SweepRecord, TrialView } from '../shared/sweep/sweep-record.ts';
import { LocalArtifactStore } from '../shared/storage/local-artifact-store.ts';
import { runPaths } from '../shared/storage/run-paths.ts';
import { AelabStack } from '../test/support/aelab-stack.ts';

type SweepView = SweepRecord & { trials: TrialView[] };

/** One trial run as its worker recorded it; times in ms since the epoch. */
export interface TrialTiming {
  runId: string;
  workerPid: number;
  startedAt: number;
  /** When its only epoch record was appended (mtime of metrics.jsonl): child start-up + the epoch. */
  firstRecordAt: number;
  finishedAt: number;
}

/** Result of one sweep run on a fresh stack. */
export interface SweepBenchRun {
  trials: TrialTiming[];
  /** POST /sweeps → sweep status completed, as the bench polled it (200 ms polls). */
  wallMs: number;
}

/** Options of one benchmark sweep. */
export interface SweepBenchOptions {
  workers: number;
  trials: number;
  /** Wall-clock time of each trial's single epoch. */
  secondsPerEpoch: number;
  label: string;
}

let active: AelabStack | null = null;
let interrupted = false;

/** Ctrl-C / SIGTERM stop the stack that is running (its processes, queue keys and temp storage) before exiting. */
export function stopStackOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      process.stderr.write(`\n${signal}: stopping the API and workers...\n`);
      void (active?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
    });
  }
}

/**
 * The synthetic model's config with one instant-data epoch per trial; `model.params.x`
 * is the swept parameter only so each trial gets a distinct point.
 */
function sweepBody(options: SweepBenchOptions): Record<string, unknown> {
  return {
    name: `bench-${options.label}`,
    base_config: {
      name: `bench-${options.label}`,
      experiment: { name: 'synthetic', task: 'train', weights: null },
      seed: 2109,
      mode: 'reference',
      model: { name: 'synthetic_objective', params: { x: 0.5, y: 0, category: 'a', seconds_per_epoch: options.secondsPerEpoch } },
      trainer: {
        name: 'synthetic',
        params: { nr_epochs: 1, loss: { name: 'l2' }, optimizer_params: { lr: 1e-2 } },
        data_loader: { name: 'phantoms', params: { args: { target_size: [8, 8], batch_size: 8, train_count: 8, val_count: 8, test_count: 0, seed: 7 } } },
      },
    },
    method: 'random',
    metric: { name: 'val.objective', goal: 'minimize' },
    max_trials: options.trials,
    max_concurrent: options.workers,
    seed: 1,
    parameters: { 'model.params.x': { distribution: 'uniform', min: 0, max: 1 } },
  };
}

/**
 * Starts the API and `workers` worker processes on a private queue prefix, waits until every
 * worker says it is ready, runs one random sweep of synthetic trials to completion, reads
 * every trial's run record, and stops everything (processes, queue keys, storage).
 */
export async function runSweepBench(options: SweepBenchOptions): Promise<SweepBenchRun> {
  // The compiled build, as the images run it: a benchmark of the product, not of the TypeScript loader.
  const stack = await AelabStack.start({ label: `bench-${options.label}`, workers: options.workers, env: { AELAB_BACKEND: 'cpu' }, compiled: true });
  active = stack;
  try {
    await stack.waitFor(async () => (stack.workers.every((w) => w.output().includes('worker ready')) ? true : null), 120_000, 'every worker to be ready');
    const started = Date.now();
    const submitted = await stack.request<SweepView>('POST', '/api/v1/sweeps', { sweep: sweepBody(options) });
    if (submitted.status !== 202) throw new Error(`POST /api/v1/sweeps → ${submitted.status}: ${JSON.stringify(submitted.body)}`);
    const sweep = await stack.waitFor(async () => {
      if (interrupted) throw new Error('interrupted');
      const { body } = await stack.request<SweepView>('GET', `/api/v1/sweeps/${submitted.body.id}`);
      return ['completed', 'failed', 'cancelled'].includes(body.status) ? body : null;
    }, 3_600_000, `sweep ${submitted.body.id} to finish`);
    const wallMs = Date.now() - started;
    if (sweep.status !== 'completed') throw new Error(`sweep ended ${sweep.status}`);
    const trials = await Promise.all(sweep.trials.map((trial) => trialTiming(stack.storage, trial.runId)));
    return { trials, wallMs };
  } finally {
    active = null;
    await stack.stop();
  }
}

async function trialTiming(storage: string, runId: string): Promise<TrialTiming> {
  const store = new LocalArtifactStore(storage);
  const record = JSON.parse(await store.readText(runPaths(runId).runRecord)) as RunRecord;
  if (record.status !== 'completed' || record.startedAt === null || record.finishedAt === null || record.worker === null) {
    throw new Error(`trial run ${runId} is ${record.status} (startedAt ${record.startedAt}, finishedAt ${record.finishedAt})`);
  }
  const metricsPath = await store.safeLocalPath(runPaths(runId).metrics);
  if (metricsPath === null) throw new Error(`trial run ${runId} has no metrics.jsonl`);
  return {
    runId,
    workerPid: record.worker.pid,
    startedAt: Date.parse(record.startedAt),
    firstRecordAt: (await stat(metricsPath)).mtimeMs,
    finishedAt: Date.parse(record.finishedAt),
  };
}

/** The value below which `fraction` of the sorted values lie (nearest rank). */
export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) throw new Error('percentile of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

export function machineLine(): string {
  return `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} CPU(s), ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB; Node ${process.version}; ${os.platform()} ${os.release()}`;
}
