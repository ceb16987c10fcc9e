import type { JobPriority } from './job-priority.ts';

/** The life of a run as users see it. */
export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** One line of `metrics.jsonl`, as the trainer writes it. */
export type EpochMetrics = Record<string, unknown> & { epoch: number };

/** `runs/<id>/run.json`: the record of a run, written by the API at submission and by the worker after. */
export interface RunRecord {
  id: string;
  name: string;
  status: RunStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Epochs completed so far, and how many the config asks for. */
  epoch: number;
  totalEpochs: number;
  /** Model registry name. */
  model: string;
  /**
   * The config's `seed`, by which runs of one config that differ only in seed tell apart;
   * absent from the run.json of runs queued before it was recorded.
   */
  seed?: number;
  /** Who submitted it: the API token's name, `anonymous` when the API runs open. */
  submittedBy: string;
  /** Labels a worker needs to take it (config `requires`). */
  requires: string[];
  /** Config `priority`, or what `POST /runs/:id/priority` set while it waited. */
  priority: JobPriority;
  latestMetrics: EpochMetrics | null;
  best: { epoch: number; metric: string; value: number } | null;
  /**
   * The worker process that holds it (host and pid) and, once its training process has
   * chosen, the TF.js backend and device (on webgpu also the adapter) and its compute threads
   * (AELAB_THREADS; null where the backend manages its own, or before it is chosen); null
   * until a worker takes it.
   */
  worker: {
    host: string;
    pid: number;
    backend: string | null;
    device: string | null;
    adapter?: { vendor: string; device: string; backend: string; software: boolean };
    threads?: number | null;
  } | null;
  versions: { aelab: string; node: string; tfjs: string | null };
  /** sha256 of the resolved config YAML. */
  configHash: string;
  /** How often a worker has started this run (resumes after crashes count). */
  attempts: number;
  resumedFrom: { epoch: number; batch: number } | null;
  error: string | null;
  stoppedEarly: boolean;
}
