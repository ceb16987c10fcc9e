/**
 * Child process of the train jobs of one worker: it stays warm and takes job after job.
 * For each it selects the TF.js backend, trains (resuming from the run's latest checkpoint
 * when there is one) and reports to the supervisor over IPC, ending with its health so the
 * supervisor can replace it (a leak, too much memory, changed TF.js state). It never talks
 * to Redis; stop requests arrive as messages and are honoured between batches.
 */
import * as tf from '@tensorflow/tfjs-core';
import { resolveExperimentConfig } from '../../shared/config/resolve-experiment-config.ts';
import { validateExperiment } from '../../shared/experiment/validate-experiment.ts';
import { selectBackend } from '../../shared/ml/backend/select-backend.ts';
import { trainRun } from '../../shared/ml/training/train-run.ts';
import { classifyFailure } from '../../shared/observability/failure-reason.ts';
import { openArtifactStore } from '../../shared/storage/open-artifact-store.ts';
import { runPaths } from '../../shared/storage/run-paths.ts';
import { StorageLease } from '../../shared/storage/storage-lease.ts';
import { noticingAppends } from './appends-noticed.ts';
import { TfStateGuard } from './tf-state-guard.ts';
import { parseSupervisorMessage, type ChildMessage, type TrainStart } from './train-child-messages.ts';
import { listenToWorker, sendToWorker } from './worker-channel.ts';

let stopReason: 'cancel' | 'preempt' | null = null;
const guard = new TfStateGuard();
const requestedBackend = process.env.AELAB_BACKEND ?? 'auto';
// The child is forked before its first job: setting the backend up now (wasm compile, kernel
// and gradient registration) takes that cost off the first job. A failure here is the
// first job's to report, when it selects the backend itself.
const backendReady = selectBackend(requestedBackend).then(
  () => undefined,
  () => undefined,
);
const send = (message: ChildMessage) => sendToWorker(message);

listenToWorker(parseSupervisorMessage, (message) => {
  if (message.type === 'stop') stopReason = stopReason === 'cancel' ? 'cancel' : message.reason;
  if (message.type === 'start') {
    stopReason = null;
    void run(message);
  }
});

async function run(start: TrainStart): Promise<void> {
  try {
    const config = resolveExperimentConfig(start.config, `run ${start.runId} config`);
    validateExperiment({ config }, `run ${start.runId} config`);
    await backendReady;
    const backend = await selectBackend(requestedBackend, config.model.name);
    guard.begin();
    await send({ type: 'backend', name: backend.name, device: backend.device, adapter: backend.adapter, threads: backend.threads, tfjsVersion: tf.version_core });
    const totalEpochs = config.trainer.params.nrEpochs;
    const metricsKey = runPaths(start.runId).metrics;
    const store = noticingAppends(openArtifactStore(start.storage), metricsKey, (line) => void send({ type: 'recorded', epoch: epochOf(line), totalEpochs }));
    const lease = StorageLease.held(store, runPaths(start.runId).lease, start.leaseToken);
    const result = await trainRun({
      runId: start.runId,
      config,
      store,
      stopRequested: () => stopReason,
      beforeWrite: () => lease.assertHeld(),
      onWarning: (message) => void send({ type: 'warning', message }),
      onBatchEnd: (info) =>
        send({
          type: 'batch',
          epoch: info.epoch,
          totalEpochs,
          batch: info.batch,
          batchesPerEpoch: info.batchesPerEpoch,
          loss: info.loss,
          imagesPerSecond: info.imagesPerSecond,
        }),
      onResume: (from) => send({ type: 'resumed', epoch: from.epoch, batch: from.batch }),
      onEpochEnd: (record, progress) =>
        send({ type: 'epoch', record, epoch: progress.epoch, totalEpochs: progress.totalEpochs, best: progress.best }),
    });
    await send({ type: 'done', status: result.status, epochsCompleted: result.epochsCompleted, health: guard.end() });
  } catch (error) {
    guard.end();
    const message = error instanceof Error ? error.message : String(error);
    // Bad configs and diverged training fail the same way every time: retrying wastes GPU
    // hours; a run another worker took over is not this worker's to retry.
    const reason = classifyFailure(error);
    await send({ type: 'failed', message, retryable: reason !== 'config' && reason !== 'diverged' && reason !== 'lease_lost', reason });
  }
}

/** The epoch of a metrics.jsonl line (one epoch record). */
function epochOf(line: string): number {
  return (JSON.parse(line) as { epoch: number }).epoch;
}
