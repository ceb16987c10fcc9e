import { ConfigError, type ConfigProblem } from '../config/config-error.ts';
import type { ExperimentConfig } from '../config/experiment-config.ts';
import { findKeyPosition, type KeyLineMap } from '../config/key-line-map.ts';
import { blameOverrides } from '../config/load-experiment-config.ts';
import { DatasetArgsError } from '../data/dataset-args-error.ts';
import { downstreamDatasetLoader } from '../data/downstream-dataset-loader.ts';
import { checkDatasetArgs, DATASET_LOADERS } from '../data/open-dataset.ts';
import { checkPerceptualWeightsAvailable } from '../ml/losses/perceptual-weights.ts';
import { planModel, validateModelParams } from '../ml/model-registry.ts';
import { ModelParamsError } from '../ml/models/model-params-error.ts';
import { checkTrainerConfig } from '../ml/training/trainer-registry.ts';

/** A config as loaded: its canonical form and, for a YAML text, where each key was written. */
export interface ExperimentToValidate {
  config: ExperimentConfig;
  lines?: KeyLineMap;
}

/**
 * Everything about a resolved config that would otherwise fail only once a worker builds
 * it: the model's params and its shape plan at the trainer's and each downstream task's
 * input size, the trainer's own params and its pairing with the model, the data loaders'
 * args, and the perceptual loss's weights file. The API, sweeps, suites and the training
 * child all call this, so a config is accepted or refused the same way everywhere.
 * Throws one ConfigError with every problem found, each at its key and, when `lines` is
 * known, its line; `overridden` names the override keys to blame.
 */
export function validateExperiment(loaded: ExperimentToValidate, source: string, overridden: readonly string[] = []): void {
  const { config } = loaded;
  const problems = [...modelProblems(config), ...problemsOf(() => checkTrainerConfig(config)), ...dataProblems(config)];
  problems.push(...problemsOf(() => checkPerceptualWeightsAvailable(config)));
  if (problems.length === 0) return;
  const placed = problems.map((problem) => ({ ...problem, ...findKeyPosition(loaded.lines, problem.key) }));
  throw blameOverrides(new ConfigError(source, placed), overridden);
}

function modelProblems(config: ExperimentConfig): ConfigProblem[] {
  const paramsProblems = problemsOf(() => validateModelParams(config.model));
  if (paramsProblems.length > 0) return paramsProblems;
  const trainerSize = config.trainer.dataLoader.targetSize;
  const problems = problemsOf(() => planModel(config.model, { mode: config.mode, inputSize: trainerSize }));
  for (const [taskName, task] of Object.entries(config.downstreamTasks)) {
    const size = task.dataLoader.targetSize;
    if (size[0] === trainerSize[0] && size[1] === trainerSize[1]) continue;
    const key = `downstream_tasks.${taskName}.data_loader.params.args.target_size`;
    for (const problem of problemsOf(() => planModel(config.model, { mode: config.mode, inputSize: size }))) {
      problems.push({ key, message: `the model cannot score ${size[0]}×${size[1]} images: ${problem.key}: ${problem.message}` });
    }
  }
  return problems;
}

function dataProblems(config: ExperimentConfig): ConfigProblem[] {
  const unreadable = [
    { key: 'trainer.data_loader.name', name: config.trainer.dataLoader.name },
    ...Object.entries(config.downstreamTasks).map(([taskName, task]) => ({ key: `downstream_tasks.${taskName}.data_loader.name`, name: task.dataLoader.name })),
  ].filter(({ name }) => !Object.hasOwn(DATASET_LOADERS, name));
  if (unreadable.length > 0) {
    const known = Object.keys(DATASET_LOADERS).join(', ');
    return unreadable.map(({ key, name }) => ({ key, message: `this version has no reader for dataset "${name}"; readable: ${known}` }));
  }
  const trainerLoader = config.trainer.dataLoader;
  const problems = (['train', 'val'] as const).flatMap((split) =>
    problemsOf(() => checkDatasetArgs(trainerLoader, split), 'trainer.data_loader.params.args'),
  );
  for (const [taskName, task] of Object.entries(config.downstreamTasks)) {
    for (const datasetName of Object.keys(task.datasets)) {
      const ownArgs = task.datasets[datasetName].args;
      const loader = downstreamDatasetLoader(task, datasetName);
      const argsKey = `downstream_tasks.${taskName}.data_loader.params.args`;
      const found = problemsOf(() => checkDatasetArgs(loader, 'test'), argsKey);
      // An arg the dataset entry sets is its own, not the task loader's; its name may hold a dot.
      const ownArgOf = (key: string): string | undefined => {
        if (!key.startsWith(`${argsKey}.`)) return undefined;
        const rest = key.slice(argsKey.length + 1);
        return [rest, rest.split('.')[0]].find((arg) => Object.hasOwn(ownArgs, arg));
      };
      problems.push(
        ...found.map((problem) => {
          const own = ownArgOf(problem.key);
          return own === undefined ? problem : { ...problem, key: `downstream_tasks.${taskName}.data_loader.datasets.${datasetName}.${own}` };
        }),
      );
    }
  }
  return dedupeByKey(problems);
}

/** The problems a check throws: a config, model-params or dataset-args error; anything else is a bug and propagates. */
function problemsOf(check: () => void, argsKey?: string): ConfigProblem[] {
  try {
    check();
    return [];
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ModelParamsError) return [...error.problems];
    if (error instanceof DatasetArgsError && argsKey !== undefined) return [{ key: `${argsKey}.${error.arg}`, message: error.message }];
    throw error;
  }
}

/** The train and val splits often share one bad arg; it is reported once. */
function dedupeByKey(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => !seen.has(problem.key) && seen.add(problem.key) !== undefined);
}
