import { computeThreads } from '../../../../../shared/ml/backend/compute-threads.ts';
import { nativeAddonStatus } from '../../../../../shared/ml/backend/native-addon.ts';

/** Sets the threads of every native kernel (the addon must be built). */
export function setNativeThreads(threads: number): void {
  const status = nativeAddonStatus();
  if (!status.available) throw new Error(status.reason);
  status.addon.setThreads(threads);
}

/** Puts back the thread count a training process would use (AELAB_THREADS or every core). */
export function restoreNativeThreads(): void {
  setNativeThreads(computeThreads());
}
