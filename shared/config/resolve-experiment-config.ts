import { z } from 'zod';
import { type JobPriority, jobPrioritySchema } from '../contracts/job-priority.ts';
import { canonicalLabels, requiredLabelsSchema } from '../contracts/worker-labels.ts';
import { lookupComponent, type ComponentKind } from './component-catalog.ts';
import type {
  ComponentRef,
  DataLoaderConfig,
  DownstreamTaskConfig,
  ExperimentConfig,
  TrainerConfig,
  TrainerParams,
} from './experiment-config.ts';
import { ConfigError } from './config-error.ts';
import { findKeyPosition, type KeyLineMap } from './key-line-map.ts';
import { parseSelectOn, SELECT_ON_PATTERN, selectOnProblems } from './select-on.ts';
import { validateWithSchema } from './validate-with-schema.ts';

/**
 * Validates a raw experiment config (the structure of the official MorphAEus YAML,
 * docs/models.md §15) and returns its canonical form. Keys the official code ignores
 * (`device`, `configurator`, `checkpoint_path`, `compute_fid`, top-level anchors such as
 * `target_size`) are accepted and dropped. Throws a ConfigError listing every problem
 * with its key path and, when `lines` is given, its line.
 */
export function resolveExperimentConfig(raw: unknown, source: string, lines?: KeyLineMap): ExperimentConfig {
  const parsed = validateWithSchema(experimentSchema, raw, source, lines);
  const trainerSize = parsed.trainer.dataLoader.targetSize;
  const downstreamTasks: Record<string, DownstreamTaskConfig> = {};
  for (const [taskName, task] of Object.entries(parsed.downstream_tasks ?? {})) {
    downstreamTasks[taskName] = {
      name: task.name,
      datasets: task.datasets,
      // The official downstream configs repeat the trainer's size; omitting it means the same.
      dataLoader: { ...task.dataLoader, targetSize: task.dataLoader.targetSize ?? trainerSize },
    };
  }
  const { selectOn } = parsed.trainer.params;
  const problems = selectOn === null ? [] : selectOnProblems(selectOn, downstreamTasks);
  if (problems.length > 0) throw new ConfigError(source, problems.map((problem) => ({ ...problem, ...findKeyPosition(lines, problem.key) })));
  return {
    name: parsed.name,
    experiment: {
      name: parsed.experiment?.name ?? parsed.name,
      task: parsed.experiment?.task ?? 'train',
      weights: parsed.experiment?.weights ?? null,
    },
    seed: parsed.seed,
    mode: parsed.mode,
    requires: canonicalLabels(parsed.requires),
    priority: parsed.priority,
    model: parsed.model,
    trainer: parsed.trainer,
    downstreamTasks,
  };
}

/** Default `seed`: the official `set_seed(2109)`. */
export const DEFAULT_SEED = 2109;

/** Default `trainer.params.keep_checkpoints`: besides the two alias targets, the `latest` before the current one survives. */
export const DEFAULT_KEEP_CHECKPOINTS = 1;

const text = z.string().min(1);
// `name: 2024` is a number in YAML but plainly meant as a name.
const label = z.preprocess((value) => (typeof value === 'number' ? String(value) : value), text);
const positiveInt = z.number().int().positive();
const nonNegative = z.number().min(0);

/** A key that may be absent or written empty (`key:`), which both mean the default. */
function withDefault<Schema extends z.ZodType>(schema: Schema, fallback: z.output<Schema>) {
  return schema.nullish().transform((value) => value ?? fallback);
}

const params = z
  .record(z.string(), z.unknown())
  .nullish()
  .transform((value) => value ?? {});

const writtenName = { name: text.optional(), module_name: text.optional(), class_name: text.optional() };

/** `{name, params}` or `{module_name, class_name, params}` → `{name, params}`. */
function component(kind: ComponentKind) {
  return z.object({ ...writtenName, params }).transform((written, ctx): ComponentRef => {
    const name = resolveName(kind, written, ctx);
    return name === undefined ? z.NEVER : { name, params: written.params };
  });
}

function resolveName(
  kind: ComponentKind,
  written: { name?: string | undefined; module_name?: string | undefined; class_name?: string | undefined },
  ctx: z.RefinementCtx,
): string | undefined {
  const found = lookupComponent(kind, written);
  if (found.ok) return found.name;
  ctx.addIssue({ code: 'custom', message: found.message, path: found.key === '' ? [] : [found.key] });
  return undefined;
}

/** One CSV or a list of them (several are concatenated, as in the official loader). */
const csvList = z.preprocess(
  (value) => (typeof value === 'string' ? [value] : value === null ? undefined : value),
  z.array(text).optional(),
);

const targetSize = z
  .array(positiveInt)
  .length(2, { error: 'expected [height, width]: a list of two positive integers' })
  .transform((size): [number, number] => [size[0], size[1]]);

/** `dataset_module:` official `{module_name, class_name}`, or ours: `cxr` / `{name: cxr}`. */
const datasetModule = z.preprocess(
  (value) => (typeof value === 'string' ? { name: value } : value),
  z.object(writtenName).transform((written, ctx) => resolveName('datasetModule', written, ctx) ?? z.NEVER),
);

const loaderArgs = z.looseObject({
  data_dir: z.looseObject({ train: csvList, val: csvList, test: csvList }).nullish(),
  target_size: targetSize.nullish(),
  batch_size: withDefault(positiveInt, 8),
  dataset_module: datasetModule.nullish(),
});

const datasetEntry = z
  .looseObject({ data_dir: z.looseObject({ test: csvList }).nullish() })
  .nullish()
  .transform((entry) => {
    const { data_dir: dataDir, ...args } = entry ?? {};
    return { test: dataDir?.test ?? [], args };
  });

/** A data loader before the downstream size default is applied. */
type PartialDataLoader = Omit<DataLoaderConfig, 'targetSize'> & { targetSize: [number, number] | undefined };

function dataLoader(role: 'trainer' | 'downstream') {
  return z
    .object({
      ...writtenName,
      params: z.looseObject({ args: loaderArgs.nullish() }).nullish(),
      datasets: z.record(z.string(), datasetEntry).nullish(),
    })
    .transform((written, ctx) => {
      const name = resolveName('dataset', written, ctx);
      const { data_dir: dataDir, target_size: size, batch_size: batchSize, dataset_module: module, ...rest } =
        written.params?.args ?? { batch_size: 8 };
      const argsPath = ['params', 'args'];
      const loader: PartialDataLoader = {
        name: name ?? '',
        dataDir: { train: dataDir?.train ?? [], val: dataDir?.val ?? [], test: dataDir?.test ?? [] },
        targetSize: size ?? undefined,
        batchSize,
        args: module == null ? rest : { ...rest, dataset_module: module },
      };
      if (role === 'trainer') {
        if (size == null) {
          ctx.addIssue({ code: 'custom', message: 'missing; expected [height, width]', path: [...argsPath, 'target_size'] });
        }
        if (name === 'csv') {
          for (const split of ['train', 'val'] as const) {
            if (loader.dataDir[split].length === 0) {
              ctx.addIssue({
                code: 'custom',
                message: `missing; the csv dataset needs at least one ${split} CSV`,
                path: [...argsPath, 'data_dir', split],
              });
            }
          }
        }
      }
      const datasets = written.datasets ?? {};
      if (role === 'downstream') {
        if (Object.keys(datasets).length === 0) {
          ctx.addIssue({ code: 'custom', message: 'missing; expected at least one dataset to evaluate', path: ['datasets'] });
        }
        if (name === 'csv') {
          for (const [datasetName, dataset] of Object.entries(datasets)) {
            if (dataset.test.length === 0) {
              ctx.addIssue({
                code: 'custom',
                message: 'missing; the csv dataset needs at least one test CSV',
                path: ['datasets', datasetName, 'data_dir', 'test'],
              });
            }
          }
        }
      }
      return name === undefined ? z.NEVER : { loader, datasets };
    });
}

const LR_SCHEDULERS = ['plateau', 'cosine', 'exponential', 'none'] as const;

const trainerParams = z
  .looseObject({
    nr_epochs: withDefault(positiveInt, 500),
    optimizer_params: z.looseObject({ lr: z.number().positive() }),
    patience: withDefault(positiveInt, 25),
    alfa: withDefault(nonNegative, 0),
    beta: withDefault(nonNegative, 3),
    delta: withDefault(nonNegative, 1),
    max_iter: withDefault(positiveInt, 500),
    lr_scheduler: withDefault(z.enum(LR_SCHEDULERS), 'none'),
    loss: component('loss'),
    transformer: component('transform').nullish(),
    select_on: z.string().regex(SELECT_ON_PATTERN, { error: 'expected <task>/<dataset>/<metric>, e.g. pneumonia/Pneumonia/auroc' }).nullish(),
    select_every: withDefault(positiveInt, 1),
    keep_checkpoints: withDefault(z.number().int().min(0), DEFAULT_KEEP_CHECKPOINTS),
  })
  .transform((written): TrainerParams => {
    const {
      nr_epochs: nrEpochs,
      optimizer_params: { lr, ...optimizerRest },
      patience,
      alfa,
      beta,
      delta,
      max_iter: maxIter,
      lr_scheduler: lrScheduler,
      loss,
      transformer,
      select_on: selectOn,
      select_every: selectEvery,
      keep_checkpoints: keepCheckpoints,
      ...extra
    } = written;
    if (transformer != null) extra.transformer = transformer;
    if (Object.keys(optimizerRest).length > 0) extra.optimizer_params = optimizerRest;
    const selection = { selectOn: selectOn == null ? null : parseSelectOn(selectOn), selectEvery, keepCheckpoints };
    return { nrEpochs, lr, patience, alfa, beta, delta, maxIter, lrScheduler, loss, ...selection, extra };
  });

const trainer = z
  .object({ ...writtenName, params: trainerParams, data_loader: dataLoader('trainer') })
  .transform((written, ctx) => {
    const name = resolveName('trainer', written, ctx);
    const { targetSize: size, ...loader } = written.data_loader.loader;
    // A missing trainer size was already reported by the data loader.
    if (name === undefined || size === undefined) return z.NEVER;
    const resolved: TrainerConfig = { name, params: written.params, dataLoader: { ...loader, targetSize: size } };
    return resolved;
  });

const downstreamTask = z
  .object({ ...writtenName, data_loader: dataLoader('downstream') })
  .transform((written, ctx) => {
    const name = resolveName('evaluator', written, ctx);
    if (name === undefined) return z.NEVER;
    return { name, dataLoader: written.data_loader.loader, datasets: written.data_loader.datasets };
  });

const experimentSchema = z.object({
  name: label,
  experiment: z
    .object({
      name: label.nullish(),
      task: withDefault(z.enum(['train', 'test']), 'train'),
      weights: text.nullish(),
    })
    .nullish(),
  seed: withDefault(z.number().int().min(0).max(2 ** 32 - 1), DEFAULT_SEED),
  mode: withDefault(z.enum(['reference', 'corrected']), 'reference'),
  requires: withDefault(requiredLabelsSchema, []),
  priority: withDefault(jobPrioritySchema, 'normal' satisfies JobPriority),
  model: component('model'),
  trainer,
  downstream_tasks: z.record(z.string(), downstreamTask).nullish(),
});
