import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chooseOpenblasCoreType } from './openblas-core-type.ts';
import { chooseOpenmpWaitPolicy } from './openmp-wait-policy.ts';

/**
 * Our native addon (shared/ml/backend/native/, built by bin/build-native-kernels.mjs at
 * install into build/native/aelab-kernels.node): every kernel group's functions on one
 * object, and the thread count they share. Each group's TypeScript side declares the
 * functions it calls (e.g. native-conv-kernels.ts).
 */
export interface NativeAddon {
  /** Threads every native kernel computes with; returns the count set. */
  setThreads(threads: number): number;
}

/** Whether the addon loaded, and if not, why. */
export type NativeAddonStatus = { available: true; addon: NativeAddon } | { available: false; reason: string };

const ADDON_DIR = fileURLToPath(new URL('../../../build/native/', import.meta.url));
const ADDON_PATH = `${ADDON_DIR}aelab-kernels.node`;
const UNAVAILABLE_PATH = `${ADDON_DIR}aelab-kernels.unavailable`;

let addon: NativeAddon | undefined;
let loadFailure: string | undefined;

/** Loads the addon once; the reason is kept when it cannot be loaded. */
export function nativeAddonStatus(): NativeAddonStatus {
  if (addon === undefined && loadFailure === undefined) {
    try {
      chooseOpenblasCoreType();
      chooseOpenmpWaitPolicy();
      addon = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
    } catch (error) {
      if (existsSync(UNAVAILABLE_PATH)) loadFailure = readFileSync(UNAVAILABLE_PATH, 'utf8').trim();
      else if (!existsSync(ADDON_PATH)) loadFailure = `${ADDON_PATH} is not built; run "node bin/build-native-kernels.mjs"`;
      else loadFailure = `${ADDON_PATH} cannot be loaded: ${(error as Error).message.split('\n')[0]}`;
    }
  }
  return addon ? { available: true, addon } : { available: false, reason: loadFailure ?? 'not loaded' };
}
