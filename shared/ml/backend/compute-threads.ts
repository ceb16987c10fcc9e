import { availableParallelism } from 'node:os';

/**
 * How many threads a training or evaluation process computes with: `AELAB_THREADS`, else
 * every core the process may use (`os.availableParallelism()`). Several workers on one
 * machine should each be given a share of its cores.
 */
export function computeThreads(value: string | undefined = process.env.AELAB_THREADS): number {
  if (value === undefined || value.trim() === '') return availableParallelism();
  const threads = Number(value.trim());
  if (!Number.isInteger(threads) || threads < 1) {
    throw new Error(`AELAB_THREADS must be a positive integer (the number of threads to compute with), got "${value}"`);
  }
  return threads;
}
