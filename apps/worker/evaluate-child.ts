/**
 * Warm child process of a worker's evaluate jobs, one after another: for each it scores
 * every test image of the run's downstream tasks with the chosen checkpoint and writes
 * scores, results and pictures to storage, then reports its health.
 */
import { parseExperimentConfigText } from '../../shared/config/load-experiment-config.ts';
import { evaluateRun } from '../../shared/evaluation/evaluate-run.ts';
import { selectBackend } from '../../shared/ml/backend/select-backend.ts';
import { evaluationPaths } from '../../shared/evaluation/evaluation-paths.ts';
import { FencedArtifactStore } from '../../shared/storage/fenced-artifact-store.ts';
import { openArtifactStore } from '../../shared/storage/open-artifact-store.ts';
import { runPaths } from '../../shared/storage/run-paths.ts';
import { StorageLease } from '../../shared/storage/storage-lease.ts';
import { parseEvaluateSupervisorMessage, type EvaluateChildMessage, type EvaluateChildStart } from './evaluate-child-messages.ts';
import { TfStateGuard } from './tf-state-guard.ts';
import { listenToWorker, sendToWorker } from './worker-channel.ts';

const guard = new TfStateGuard();
const send = (message: EvaluateChildMessage) => sendToWorker(message);

listenToWorker(parseEvaluateSupervisorMessage, (start) => void evaluate(start));

async function evaluate(message: EvaluateChildStart): Promise<void> {
  try {
    const store = openArtifactStore(message.storage);
    // The backend training picks for this model (wasm where it is checked), not the
    // pure-JS one: a forward pass there costs many times more.
    const { config } = parseExperimentConfigText(await store.readText(runPaths(message.job.runId).config), `runs/${message.job.runId}/config.yaml`);
    await selectBackend(undefined, config.model.name);
    guard.begin();
    const lease = StorageLease.held(store, evaluationPaths(message.job.runId, message.job.evalId).lease, message.leaseToken);
    await evaluateRun({
      ...message.job,
      store: new FencedArtifactStore(store, lease),
      onProgress: (scored, total) => send({ type: 'progress', scored, total }),
    });
    await send({ type: 'done', health: guard.end() });
  } catch (error) {
    guard.end();
    await send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
}
