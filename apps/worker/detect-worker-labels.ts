import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { canonicalLabels, labelsFromEnv } from '../../shared/contracts/worker-labels.ts';
import { labelsOfBackend } from '../../shared/ml/backend/backend-labels.ts';
import type { BackendProbeMessage } from './backend-probe-child.ts';
import { entryNextTo, nodeOptionsFor } from '../../shared/process/node-entry.ts';

const PROBE_ENTRY = entryNextTo(import.meta.url, 'backend-probe-child');

/** The native TF.js packages `auto` and `tensorflow` try, in selectBackend's order. */
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

/**
 * This worker's labels: those of the backend its jobs will run on plus AELAB_WORKER_LABELS.
 * `AELAB_BACKEND=cpu` or `wasm`, and `auto` where no native package is installed, name a
 * CPU backend outright; otherwise it depends on whether the native package loads (and
 * finds a GPU), so a child process tries, as every job's child will.
 */
export async function detectWorkerLabels(env: NodeJS.ProcessEnv = process.env): Promise<{ labels: string[]; backend: { name: string; device: string } }> {
  const configured = labelsFromEnv(env.AELAB_WORKER_LABELS);
  const requested = (env.AELAB_BACKEND ?? 'auto').trim().toLowerCase();
  const knownWithoutLoading = requested === 'cpu' || requested === 'wasm' || (requested === 'auto' && !nativePackageInstalled());
  const backend = knownWithoutLoading ? { name: requested === 'auto' ? 'cpu' : requested, device: 'cpu' } : await probeBackend(env);
  return { labels: canonicalLabels([...labelsOfBackend(backend), ...configured]), backend };
}

function nativePackageInstalled(): boolean {
  const require = createRequire(import.meta.url);
  return NATIVE_PACKAGES.some((name) => {
    try {
      require.resolve(name);
      return true;
    } catch {
      return false;
    }
  });
}

function probeBackend(env: NodeJS.ProcessEnv): Promise<{ name: string; device: string }> {
  return new Promise((resolve, reject) => {
    const child = fork(PROBE_ENTRY, [], { execArgv: nodeOptionsFor(PROBE_ENTRY), env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (message: BackendProbeMessage) => {
      if (message.type === 'selected') resolve({ name: message.name, device: message.device });
      else reject(new Error(`no usable backend: ${message.message}`));
    });
    child.once('exit', (code) => reject(new Error(`the backend probe exited (code ${code ?? 'none'}) before it chose a backend`)));
  });
}
