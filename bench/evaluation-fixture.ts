import path from 'node:path';
import { loadExperimentConfigFile, serializeConfigYaml } from '../shared/config/load-experiment-config.ts';
import { writePhantomDataset } from '../shared/data/write-phantom-dataset.ts';
import { buildModel } from '../shared/ml/model-registry.ts';
import { Adam } from '../shared/ml/optim/adam.ts';
import { SeededRandom } from '../shared/random/seeded-random.ts';
import { saveCheckpoint } from '../shared/ml/training/checkpoint.ts';
import type { ArtifactStore } from '../shared/storage/artifact-store.ts';
import { runPaths } from '../shared/storage/run-paths.ts';
import { adaptConfigToSize } from './size-adapted-params.ts';

export interface EvaluationFixtureOptions {
  /** Experiment config the run is made from (its first downstream task is pointed at the phantoms). */
  configPath: string;
  size: number;
  /** Healthy test phantoms (the Normal set) and opacity phantoms (with masks). */
  normalCount: number;
  anomalousCount: number;
  /** Folder for the phantom PNGs and CSVs; the data root of the evaluation. */
  dataDir: string;
  store: ArtifactStore;
  runId: string;
  /** Further dotted-path config overrides, e.g. a smaller model for a test. */
  overrides?: Record<string, unknown>;
}

export interface EvaluationFixture {
  runId: string;
  /** The task evaluateRun scores. */
  task: string;
  normalCsv: string;
  anomalousCsv: string;
}

/**
 * A run to evaluate without training one: the config at `size` (the bench:train size
 * rule), its first downstream task reading phantom PNGs (healthy vs opacity, opacity with
 * masks), and a `best` checkpoint of the freshly initialised model. Evaluation cost does
 * not depend on the weights.
 */
export async function prepareEvaluationRun(options: EvaluationFixtureOptions): Promise<EvaluationFixture> {
  const written = await writePhantomDataset({
    outDir: options.dataDir,
    size: [options.size, options.size],
    trainCount: 0,
    valCount: 0,
    testCount: options.normalCount,
    pathologyCount: options.anomalousCount,
    pathologies: ['opacity'],
    seed: 8,
  });
  const task = Object.keys(loadExperimentConfigFile(options.configPath).config.downstreamTasks)[0];
  if (task === undefined) throw new Error(`${options.configPath} has no downstream_tasks to evaluate`);
  const side = [options.size, options.size];
  const { config, raw } = loadExperimentConfigFile(options.configPath, {
    ...adaptConfigToSize(options.configPath, options.size).overrides,
    'trainer.data_loader.params.args.target_size': side,
    [`downstream_tasks.${task}.data_loader.params.args.target_size`]: side,
    [`downstream_tasks.${task}.data_loader.datasets`]: {
      Normal_phantoms: { data_dir: { test: [written.csvs.normal_test] } },
      Opacity_phantoms: { data_dir: { test: [written.csvs.opacity_test] }, label_dir: [written.maskCsvs.opacity_test] },
    },
    ...options.overrides,
  });
  const configText = serializeConfigYaml(raw);
  await options.store.write(runPaths(options.runId).config, configText);
  const model = buildModel(config.model, { mode: config.mode, random: new SeededRandom(config.seed), inputSize: config.trainer.dataLoader.targetSize });
  try {
    await saveCheckpoint(options.store, options.runId, 'best', {
      position: { epoch: 0, batch: 0 },
      model,
      optimizers: new Map([['model', new Adam(model.parameters, { lr: config.trainer.params.lr })]]),
      training: {
        best: null,
        earlyStopping: { bestLoss: null, counter: 0, stop: false },
        scheduler: { name: 'none', lr: config.trainer.params.lr },
        random: { shuffle: [1, 2, 3, 4], step: [5, 6, 7, 8] },
        epochProgress: null,
        trainer: null,
      },
      configHash: 'evaluation-fixture',
    });
  } finally {
    model.dispose();
  }
  return {
    runId: options.runId,
    task,
    normalCsv: path.join(options.dataDir, written.csvs.normal_test),
    anomalousCsv: path.join(options.dataDir, written.csvs.opacity_test),
  };
}
