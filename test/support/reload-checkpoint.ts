import * as tf from '@tensorflow/tfjs-core';
import { parseExperimentConfigText } from '../../shared/config/load-experiment-config.ts';
import { iterateBatches, sequentialOrder } from '../../shared/data/batch-iterator.ts';
import { openDataset } from '../../shared/data/open-dataset.ts';
import { selectBackend } from '../../shared/ml/backend/select-backend.ts';
import { buildModel } from '../../shared/ml/model-registry.ts';
import { SeededRandom } from '../../shared/random/seeded-random.ts';
import { loadCheckpoint, restoreWeights } from '../../shared/ml/training/checkpoint.ts';
import { buildTrainer } from '../../shared/ml/training/trainer-registry.ts';
import type { ArtifactStore } from '../../shared/storage/artifact-store.ts';
import { runPaths } from '../../shared/storage/run-paths.ts';

/**
 * Loads a stored checkpoint into a freshly built model in this process (as an
 * evaluation would) and computes the validation loss the trainer selects on (`loss_prec`
 * for the reconstruction trainer, `loss_mse` for MorphAEus's), so a test can compare it
 * with the value the worker recorded for that epoch.
 */
export async function reloadedValidationLoss(store: ArtifactStore, runId: string, label: 'latest' | 'best'): Promise<number> {
  await selectBackend('cpu');
  const { config } = parseExperimentConfigText(await store.readText(runPaths(runId).config), `${runId}/config.yaml`);
  const checkpoint = await loadCheckpoint(store, runId, label);
  if (checkpoint === null) throw new Error(`run ${runId} has no ${label} checkpoint`);
  const model = buildModel(config.model, { mode: config.mode, random: new SeededRandom(1), inputSize: config.trainer.dataLoader.targetSize });
  restoreWeights(model, checkpoint);
  const trainer = buildTrainer(model, config);
  const val = await openDataset(config.trainer.dataLoader, 'val');
  let sum = 0;
  for await (const batch of iterateBatches(val, { batchSize: config.trainer.dataLoader.batchSize, order: sequentialOrder(val.size) })) {
    const x = tf.tensor4d(batch.images, [batch.count, batch.height, batch.width, 1]);
    sum += (await trainer.validateBatch(x))[trainer.selectionMetric] * batch.count;
    x.dispose();
  }
  trainer.dispose();
  model.dispose();
  return sum / val.size;
}
