import * as tf from '@tensorflow/tfjs-core';

/**
 * What a warm child reports after each job, so that its supervisor can decide whether the
 * next job may run in the same process (docs/architecture.md "Warm training children").
 */
export interface ChildHealth {
  /** Live tensors (variables included) when the job began and when it ended. */
  tensorsBefore: number;
  tensorsAfter: number;
  /** Resident memory of the child after the job, in MiB. */
  rssMb: number;
  /** Why the process's global TF.js state cannot be trusted for another job; null when it can. */
  stateChanged: string | null;
}

/** Flags, kernels and the tensor count of the global TF.js engine at a job's start. */
interface EngineSnapshot {
  backend: string;
  flags: ReturnType<ReturnType<typeof tf.env>['getFlags']>;
  kernels: string;
  tensors: number;
}

/**
 * Global TF.js state is per process: a job that leaves tensors, an open scope, new kernels
 * or changed flags behind would change the next job's results in a reused child. The guard
 * takes a snapshot once the job's backend is active and, at the end, puts the flags back
 * and reports what it could not put back, so that the supervisor replaces the child.
 * Random streams need no reset: every model and trainer draws from the run's own seeded
 * stream (shared/random/seeded-random.ts), never from TF.js's global one.
 */
export class TfStateGuard {
  private snapshot: EngineSnapshot | null = null;

  /** Call once the job's backend is selected and before it allocates anything of its own. */
  begin(): void {
    this.snapshot = snapshotOf();
  }

  /** Ends the job: restores the flags and says whether the process is still fit for another job. */
  end(): ChildHealth {
    const before = this.snapshot;
    this.snapshot = null;
    const rssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
    const tensorsAfter = tf.memory().numTensors;
    // A job that failed before its backend was active changed nothing the guard can vouch for.
    if (before === null) return { tensorsBefore: tensorsAfter, tensorsAfter, rssMb, stateChanged: 'the job ended before its backend was active' };
    tf.env().setFlags(before.flags);
    return { tensorsBefore: before.tensors, tensorsAfter, rssMb, stateChanged: changedState(before) };
  }
}

function snapshotOf(): EngineSnapshot {
  const backend = tf.getBackend();
  return { backend, flags: { ...tf.env().getFlags() }, kernels: kernelNames(backend), tensors: tf.memory().numTensors };
}

function kernelNames(backend: string): string {
  return tf
    .getKernelsForBackend(backend)
    .map((kernel) => kernel.kernelName)
    .sort()
    .join(',');
}

function changedState(before: EngineSnapshot): string | null {
  if (tf.getBackend() !== before.backend) return `the backend changed from ${before.backend} to ${tf.getBackend()}`;
  if (kernelNames(before.backend) !== before.kernels) return `kernels of the ${before.backend} backend were registered or removed during the job`;
  if (openScopes() > 0) return 'a tf.tidy scope was left open';
  return null;
}

/** Scopes the engine still has open (a tidy that threw midway leaves one). */
function openScopes(): number {
  const state = tf.engine().state as unknown as { scopeStack?: unknown[] };
  return state.scopeStack?.length ?? 0;
}
