/**
 * The child side of a warm child's IPC channel to its worker process, the same for the
 * training and the evaluate child.
 */

/** Sends `message` to the worker; resolves once it is handed over, or at once when the worker is gone. */
export function sendToWorker(message: object): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || process.send === undefined) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

/**
 * The child lives as long as its worker: when the worker is gone (killed) it exits at once,
 * so that the next owner of its job is the only writer. SIGTERM and SIGINT reach the whole
 * process group when a terminal or an orchestrator stops the worker: the worker decides, so
 * the child ignores them and waits for the worker's message.
 */
function followWorker(): void {
  process.on('disconnect', () => process.exit(70));
  process.on('SIGTERM', () => undefined);
  process.on('SIGINT', () => undefined);
}

/**
 * Follows the worker (above) and hands each message it sends, checked by `parse`, to
 * `onMessage`. The worker's ping before each job (see WarmChild) is answered here.
 */
export function listenToWorker<Message extends { type: string }>(parse: (raw: unknown) => Message, onMessage: (message: Exclude<Message, { type: 'ping' }>) => void): void {
  followWorker();
  process.on('message', (raw: unknown) => {
    const message = parse(raw);
    if (message.type === 'ping') void sendToWorker({ type: 'pong' });
    else onMessage(message as Exclude<Message, { type: 'ping' }>);
  });
}
