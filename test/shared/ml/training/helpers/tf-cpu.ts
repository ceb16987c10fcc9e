import { selectBackend } from '../../../../../shared/ml/backend/select-backend.ts';

/** The pure-JS backend the tests train on, set up as the worker sets it up. */
export async function useCpuBackend(): Promise<void> {
  await selectBackend('cpu');
}

/** Runs `work` on the cpu backend set up with AELAB_THREADS=`threads`, then restores the variable and the backend. */
export async function useThreads(threads: number, work: () => Promise<void>): Promise<void> {
  const saved = process.env.AELAB_THREADS;
  process.env.AELAB_THREADS = String(threads);
  try {
    const selected = await selectBackend('cpu');
    if (selected.threads !== threads) throw new Error(`the cpu backend computes on ${selected.threads} threads, not ${threads}`);
    await work();
  } finally {
    if (saved === undefined) delete process.env.AELAB_THREADS;
    else process.env.AELAB_THREADS = saved;
    await selectBackend('cpu');
  }
}
