/**
 * Child process the worker starts once to learn which backend its jobs will get, so
 * that it can label itself (`gpu` or `cpu`, the backend's name). A child, because a
 * native GPU backend grabs the GPU's memory for as long as its process lives.
 */
import { selectBackend } from '../../shared/ml/backend/select-backend.ts';

export type BackendProbeMessage = { type: 'selected'; name: string; device: string } | { type: 'failed'; message: string };

function send(message: BackendProbeMessage): void {
  process.send?.(message, undefined, {}, () => process.exit(0));
}

selectBackend().then(
  (selected) => send({ type: 'selected', name: selected.name, device: selected.device }),
  (error: unknown) => send({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
);
