import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { canonicalLabels, labelsFromEnv } from '../../shared/contracts/worker-labels.ts';
import { labelsOfBackend } from '../../shared/ml/backend/backend-labels.ts';
import type { BackendProbeMessage } from './backend-probe-child.ts';

const PROBE_ENTRY = fileURLToPath(new URL('./backend-probe-child.ts', import.meta.url));

/**
 * This worker's labels: those of the backend its jobs will run on plus AELAB_WORKER_LABELS.
 * `AELAB_BACKEND=cpu` or `wasm` names its backend outright; `auto` and `tensorflow` depend
 * on which native package loads, so a child process tries (as every job's child will).
 */
export async function detectWorkerLabels(env: NodeJS.ProcessEnv = process.env): Promise<{ labels: string[]; backend: { name: string; device: string } }> {
  const configured = labelsFromEnv(env.AELAB_WORKER_LABELS);
  const requested = (env.AELAB_BACKEND ?? 'auto').trim().toLowerCase();
  const backend = requested === 'cpu' || requested === 'wasm' ? { name: requested, device: 'cpu' } : await probeBackend();
  return { labels: canonicalLabels([...labelsOfBackend(backend), ...configured]), backend };
}

function probeBackend(): Promise<{ name: string; device: string }> {
  return new Promise((resolve, reject) => {
    const child = fork(PROBE_ENTRY, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (message: BackendProbeMessage) => {
      if (message.type === 'selected') resolve({ name: message.name, device: message.device });
      else reject(new Error(`no usable backend: ${message.message}`));
    });
    child.once('exit', (code) => reject(new Error(`the backend probe exited (code ${code ?? 'none'}) before it chose a backend`)));
  });
}
