import type { KernelTotal } from './kernel-totals.ts';

/**
 * One cell of the training-throughput grid, and what its child process reports back to
 * bench/train-throughput.ts over the IPC channel. Each case runs in its own process so
 * that its peak RSS is its own (a wasm heap never shrinks, and freed JS memory rarely
 * returns to the OS).
 */
export interface ThroughputCase {
  /** Experiment YAML the model and trainer come from. */
  configPath: string;
  /** Registry name of the config's model, for backend selection and messages. */
  modelName: string;
  /** Square image side in pixels. */
  size: number;
  batch: number;
  /** Untimed steps before the timed ones. */
  warmupSteps: number;
  /** Timed steps; the result is their median. */
  steps: number;
  /** Budget of the case's steps in seconds (see README: skip rule). */
  maxSeconds: number;
  /** 0-based epoch passed to the trainer; past MorphAEus's morph switch. */
  epoch: number;
  /** AELAB_BACKEND value, e.g. `auto`. */
  backendRequest: string;
}

/** Outcome of a case that ran its timed steps. */
export interface MeasuredCase {
  status: 'measured';
  /** Wall seconds of each timed step. */
  stepSeconds: number[];
  /** CPU seconds (user + system) of the timed steps together; against their wall time it shows contention. */
  stepCpuSeconds: number;
  /** Wall seconds of each warm-up step. */
  warmupSeconds: number[];
  /** High-water mark of the process's resident set (getrusage), in bytes. */
  peakRssBytes: number;
  /** Largest tf.memory().numBytes seen: after every step, and within one extra profiled step after the timed ones. */
  peakTfBytes: number;
  /** The extra step run under tf.profile: its wall time (kernels timed one by one, so slower) and time per kernel name. */
  profiledStep: { seconds: number; kernels: KernelTotal[] };
}

/** Outcome of a case that did not give a throughput, with the reason for the table. */
export interface UnmeasuredCase {
  /** `skipped`: over the time budget; `unsupported`: no such model at this size; `failed`: an error. */
  status: 'skipped' | 'unsupported' | 'failed';
  reason: string;
}

export type CaseOutcome = MeasuredCase | UnmeasuredCase;

/**
 * What a case's child sends, in order: `backend` once, `stepping` just before the first
 * step, `step` after each step (the last one untimed, profiled for memory), then
 * `outcome`. The parent stops a child whose first step outlasts the budget, so a very
 * slow case costs no more than the budget.
 */
export type CaseMessage =
  | { kind: 'backend'; name: string; device: string; notes: string[] }
  | { kind: 'stepping' }
  | { kind: 'step'; phase: 'warm-up' | 'timed' | 'memory'; index: number; seconds: number }
  | { kind: 'outcome'; outcome: CaseOutcome };
