import { hostname } from 'node:os';
import { type Job, UnrecoverableError } from 'bullmq';
import { evaluateJobSchema, type EvaluateJob } from '../../shared/contracts/evaluate-job.ts';
import { evaluationPaths } from '../../shared/evaluation/evaluation-paths.ts';
import type { EvaluationRecord } from '../../shared/evaluation/evaluation-record.ts';
import { EvaluationRepository } from '../../shared/evaluation/evaluation-repository.ts';
import { tagFailure } from '../../shared/observability/failure-reason.ts';
import type { Logger } from '../../shared/observability/logger.ts';
import { takenJobPayload } from '../../shared/queue/job-payload.ts';
import type { ArtifactStore } from '../../shared/storage/artifact-store.ts';
import { FencedArtifactStore } from '../../shared/storage/fenced-artifact-store.ts';
import { LeaseLostError, StorageLease } from '../../shared/storage/storage-lease.ts';
import { evaluateChildStart, type EvaluateChildMessage, type EvaluateChildStart } from './evaluate-child-messages.ts';
import { childMaxRssMb, WarmChild } from './warm-child.ts';
import { entryNextTo } from '../../shared/process/node-entry.ts';

const CHILD_ENTRY = entryNextTo(import.meta.url, 'evaluate-child');

/**
 * The evaluate processor: scoring runs in a child process, like training, so the
 * worker keeps renewing the job's lock; progress (images scored / total) goes to the job
 * and to the evaluation record. An evaluation that fails is not retried: it fails the
 * same way again (a missing checkpoint, a bad dataset). A lease in storage fences it: when
 * another worker takes the evaluation (the job was lost and queued again), this one stops.
 */
export function createEvaluateProcessor(deps: {
  store: ArtifactStore;
  logger: Logger;
  /** Registers the function told which jobs' queue locks could not be renewed (BullMQ `lockRenewalFailed`). */
  onLockLost: (handler: (jobIds: string[]) => void) => void;
}) {
  const unfenced = new EvaluationRepository(deps.store);
  const maxRssMb = childMaxRssMb();
  // Forked at the first evaluation, not at start: most workers train far more often than they evaluate.
  const children = new WarmChild<EvaluateChildStart, EvaluateChildMessage>(CHILD_ENTRY, deps.logger);
  return async function processEvaluateJob(job: Job<EvaluateJob>): Promise<{ status: 'completed' }> {
    const payload = takenJobPayload(evaluateJobSchema, job);
    const log = deps.logger.child({ runId: payload.runId, evalId: payload.evalId, jobId: job.id });
    const stored = await unfenced.get(payload.evalId);
    if (stored === null) throw new UnrecoverableError(`evaluation ${payload.evalId} has no record in storage`);
    if (stored.status === 'completed') {
      log.info('evaluation already completed; the job is closed without scoring again');
      return { status: 'completed' };
    }
    const record = await unfenced.update(stored, (r) => ({ ...r, status: 'running', error: null, scored: 0 }));
    // Taken after the record says running: from here on, an earlier holder writes nothing.
    const lease = await StorageLease.take(deps.store, evaluationPaths(record.runId, record.id).lease, { host: hostname(), pid: process.pid });
    const evaluations = new EvaluationRepository(new FencedArtifactStore(deps.store, lease));
    log.info('evaluation started');
    const { outcome, lockLost } = await scoreInChild({ job, payload, record, lease, evaluations, log, children, maxRssMb, onLockLost: deps.onLockLost, storage: deps.store.location });
    if (!(await lease.isHeld())) throw tagFailure(new UnrecoverableError(`${lease.subject.name} was taken over by another worker; this one stopped without writing`), 'lease_lost');
    if (lockLost) {
      await evaluations.update(record, (r) => ({ ...r, status: 'queued', scored: 0 }));
      throw tagFailure(new UnrecoverableError(`the queue lock of ${lease.subject.name} could not be renewed; it was left to be queued again`), 'lease_lost');
    }
    const finishedAt = new Date().toISOString();
    if (outcome.type === 'failed') {
      log.error('evaluation failed', { error: outcome.message });
      await evaluations.update(record, (r) => ({ ...r, status: 'failed', error: outcome.message, finishedAt }));
      throw new UnrecoverableError(outcome.message);
    }
    await evaluations.update(record, (r) => ({ ...r, status: 'completed', finishedAt, scored: r.total }));
    log.info('evaluation completed');
    return { status: 'completed' };
  };
}

interface ScoringContext {
  job: Job<EvaluateJob>;
  /** The job's data, checked with its schema. */
  payload: EvaluateJob;
  record: EvaluationRecord;
  lease: StorageLease;
  /** The evaluation's records, fenced by its lease. */
  evaluations: EvaluationRepository;
  log: Logger;
  onLockLost: (handler: (jobIds: string[]) => void) => void;
  storage: string;
  children: WarmChild<EvaluateChildStart, EvaluateChildMessage>;
  maxRssMb: number;
}

/**
 * Scores in a child process and relays its progress (at most once a second) to the record
 * and the job. The child is killed when the job's queue lock is lost or another worker took
 * the lease; the outcome is its last message, or a failure when it exited without one.
 */
async function scoreInChild(context: ScoringContext): Promise<{ outcome: EvaluateChildMessage; lockLost: boolean }> {
  const { job, record, lease, evaluations, log, children } = context;
  // The job is gone from Redis or handed to another worker: stop scoring; it starts again wherever it is queued next.
  let lockLost = false;
  context.onLockLost((jobIds) => {
    if (lockLost || job.id === undefined || !jobIds.includes(job.id)) return;
    lockLost = true;
    log.warn('queue lock lost: stopping the evaluation; it starts again when queued again');
    children.kill();
  });
  let lastProgress = 0;
  // Progress writes run one after another and are awaited before the final status, so a
  // late progress write can never put a finished evaluation back to 'running'.
  let progressWrites: Promise<void> = Promise.resolve();
  const relayProgress = (message: EvaluateChildMessage) => {
    if (message.type !== 'progress') return;
    const now = Date.now();
    if (now - lastProgress < 1000 && message.scored < message.total) return;
    lastProgress = now;
    const progress = Math.floor((100 * message.scored) / Math.max(1, message.total));
    progressWrites = progressWrites
      .then(async () => {
        await evaluations.update(record, (r) => ({ ...r, scored: message.scored, total: message.total }));
        await job.updateProgress({ progress, scored: message.scored, total: message.total });
      })
      .catch((error: unknown) => {
        if (error instanceof LeaseLostError) {
          log.warn('evaluation taken over by another worker: stopping without writing', { error: error.message });
          children.kill();
        } else {
          log.warn('progress update failed', { error: String(error) });
        }
      });
  };
  const start = evaluateChildStart({ job: context.payload, storage: context.storage, leaseToken: lease.token });
  const outcome = await children.run(start, relayProgress, (message) => message.type === 'done' || message.type === 'failed').catch(
    (error: unknown): EvaluateChildMessage => ({ type: 'failed', message: `evaluation ${error instanceof Error ? error.message : String(error)}` }),
  );
  context.onLockLost(() => undefined);
  if (lockLost) children.kill();
  else children.release(outcome.type === 'done' ? outcome.health : null, context.maxRssMb);
  await progressWrites;
  return { outcome, lockLost };
}
