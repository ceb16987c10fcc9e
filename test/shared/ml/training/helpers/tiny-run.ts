import type { ExperimentConfig } from '../../../../../shared/config/experiment-config.ts';
import type { ImageDataset } from '../../../../../shared/data/image-dataset.ts';
import { runTraining, type TrainingComponents } from '../../../../../shared/ml/training/run-training.ts';
import type { TrainRunOptions, TrainRunResult } from '../../../../../shared/ml/training/train-run-options.ts';
import type { ArtifactStore } from '../../../../../shared/storage/artifact-store.ts';
import { discDataset } from './memory-dataset.ts';
import { tinyConfig, type TinyConfigOptions } from './tiny-config.ts';
import { tinyModel } from './tiny-model.ts';

/** The hand-made 8×8 model on in-memory discs (24 train, 8 val): milliseconds per epoch. */
export function tinyComponents(config: ExperimentConfig, data?: { train?: ImageDataset; val?: ImageDataset }): TrainingComponents {
  return {
    buildModel: (random) => tinyModel(random, config.trainer.dataLoader.targetSize[0]),
    train: data?.train ?? discDataset(24, 8, 1),
    val: data?.val ?? discDataset(8, 8, 2),
  };
}

export type RunOverrides = Partial<Omit<TrainRunOptions, 'runId' | 'config' | 'store'>>;

/** Runs the loop with the tiny components unless others are given; warnings are collected. */
export async function runTiny(
  store: ArtifactStore,
  runId: string,
  configOptions: TinyConfigOptions = {},
  overrides: RunOverrides & { components?: TrainingComponents; warnings?: string[] } = {},
): Promise<TrainRunResult> {
  const config = tinyConfig(configOptions);
  const { components, warnings, ...rest } = overrides;
  return runTraining(
    {
      runId,
      config,
      store,
      stopRequested: () => null,
      onWarning: (message) => warnings?.push(message),
      ...rest,
    },
    components ?? tinyComponents(config),
  );
}

/** The metrics records of a run, without their timings (which differ between runs). */
export async function metricsWithoutTimes(store: ArtifactStore, runId: string): Promise<Record<string, unknown>[]> {
  const text = await store.readText(`runs/${runId}/metrics.jsonl`);
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const { time_s: _time, images_per_s: _rate, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return rest;
    });
}
