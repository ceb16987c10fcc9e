import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Job, UnrecoverableError } from 'bullmq';
import type { EvaluateJob } from '../../shared/contracts/evaluate-job.ts';
import type { EvaluationRepository } from '../../shared/evaluation/evaluation-repository.ts';
import type { Logger } from '../../shared/observability/logger.ts';
import type { EvaluateChildMessage } from './evaluate-child.ts';

const CHILD_ENTRY = fileURLToPath(new URL('./evaluate-child.ts', import.meta.url));

/**
 * The evaluate processor: scoring runs in a child process, like training, so the
 * worker keeps renewing the job's lock; progress (images scored / total) goes to the job
 * and to the evaluation record. An evaluation that fails is not retried: it fails the
 * same way again (a missing checkpoint, a bad dataset).
 */
export function createEvaluateProcessor(deps: { storage: string; evaluations: EvaluationRepository; logger: Logger }) {
  return async function processEvaluateJob(job: Job<EvaluateJob>): Promise<{ status: 'completed' }> {
    const log = deps.logger.child({ runId: job.data.runId, evalId: job.data.evalId, jobId: job.id });
    const record = await deps.evaluations.get(job.data.evalId);
    if (record === null) throw new UnrecoverableError(`evaluation ${job.data.evalId} has no record in storage`);
    await deps.evaluations.update(record, (r) => ({ ...r, status: 'running', error: null }));
    log.info('evaluation started');
    const child = fork(CHILD_ENTRY, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let lastProgress = 0;
    // Progress writes run one after another and are awaited before the final status, so a
    // late progress write can never put a finished evaluation back to 'running'.
    let progressWrites: Promise<void> = Promise.resolve();
    const outcome = await new Promise<EvaluateChildMessage>((resolve) => {
      child.on('message', (message: EvaluateChildMessage) => {
        if (message.type !== 'progress') return resolve(message);
        const now = Date.now();
        if (now - lastProgress < 1000 && message.scored < message.total) return;
        lastProgress = now;
        const progress = Math.floor((100 * message.scored) / Math.max(1, message.total));
        progressWrites = progressWrites
          .then(async () => {
            await job.updateProgress({ progress, scored: message.scored, total: message.total });
            await deps.evaluations.update(record, (r) => ({ ...r, scored: message.scored, total: message.total }));
          })
          .catch((error: unknown) => {
            log.warn('progress update failed', { error: String(error) });
          });
      });
      child.on('exit', (code) => resolve({ type: 'failed', message: `evaluation process exited with code ${code ?? 'none'} before reporting a result` }));
      child.send({ job: job.data, storage: deps.storage });
    });
    if (child.exitCode === null) child.kill('SIGKILL');
    await progressWrites;
    const finishedAt = new Date().toISOString();
    if (outcome.type === 'failed') {
      log.error('evaluation failed', { error: outcome.message });
      await deps.evaluations.update(record, (r) => ({ ...r, status: 'failed', error: outcome.message, finishedAt }));
      throw new UnrecoverableError(outcome.message);
    }
    await deps.evaluations.update(record, (r) => ({ ...r, status: 'completed', finishedAt, scored: r.total }));
    log.info('evaluation completed');
    return { status: 'completed' };
  };
}
