import { openDataset } from '../../data/open-dataset.ts';
import { buildModel } from '../model-registry.ts';
import { runTraining } from './run-training.ts';
import { ValidationTaskScorer } from './validation-task-scorer.ts';
import type { TrainRunOptions, TrainRunResult } from './train-run-options.ts';

export type { StopRequest, TrainRunOptions, TrainRunResult } from './train-run-options.ts';
export type { BatchInfo, BestSoFar, EpochRecord } from './epoch-record.ts';

/**
 * Trains one run from its config: the model from the model registry, the train and val
 * splits from the dataset registry, the trainer named by `trainer.name`. Continues from
 * the run's `latest` checkpoint when there is one. The worker's only entry into training.
 */
export async function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  const { config } = options;
  const dataRoot = options.dataRoot ?? process.env.AELAB_DATA_ROOT ?? process.cwd();
  const loader = config.trainer.dataLoader;
  const [train, val] = await Promise.all([openDataset(loader, 'train', { dataRoot }), openDataset(loader, 'val', { dataRoot })]);
  return runTraining(options, {
    buildModel: (random) => buildModel(config.model, { mode: config.mode, random, inputSize: loader.targetSize }),
    train,
    val,
    validationTask: await ValidationTaskScorer.open(config, dataRoot),
  });
}
