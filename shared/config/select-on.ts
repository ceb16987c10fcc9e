import type { ConfigProblem } from './config-error.ts';

/**
 * What `trainer.params.select_on` may name, and which way is better: the per-dataset
 * metrics an evaluation produces.
 */
export const SELECTABLE_METRICS = {
  auroc: 'maximize',
  auprc: 'maximize',
  fpr95: 'minimize',
  fpr99: 'minimize',
  pixel_auroc: 'maximize',
  pixel_auprc: 'maximize',
  best_dice: 'maximize',
} as const;
export type SelectableMetric = keyof typeof SELECTABLE_METRICS;

/** `select_on: <task>/<dataset>/<metric>`: a labelled validation task that chooses `checkpoints/best`. */
export interface SelectOn {
  task: string;
  dataset: string;
  metric: SelectableMetric;
}

export const SELECT_ON_PATTERN = /^[^/]+\/[^/]+\/[^/]+$/;

export function parseSelectOn(written: string): SelectOn {
  const [task, dataset, metric] = written.split('/');
  return { task, dataset, metric: metric as SelectableMetric };
}

/** The key of the metric in epoch records (`val.<key>`), results and tables. */
export function selectOnKey(selectOn: SelectOn): string {
  return `${selectOn.task}/${selectOn.dataset}/${selectOn.metric}`;
}

/** What `select_on` reads of a downstream task (a DownstreamTaskConfig is one): its dataset names. */
interface TaskDatasets {
  datasets: Readonly<Record<string, unknown>>;
}

/** What is wrong with `select_on` given the config's downstream tasks; empty when it can be scored. */
export function selectOnProblems(selectOn: SelectOn, tasks: Readonly<Record<string, TaskDatasets>>): ConfigProblem[] {
  const key = 'trainer.params.select_on';
  if (!Object.hasOwn(SELECTABLE_METRICS, selectOn.metric)) {
    return [{ key, message: `unknown metric "${selectOn.metric}"; expected one of ${Object.keys(SELECTABLE_METRICS).join(', ')}` }];
  }
  const task = Object.hasOwn(tasks, selectOn.task) ? tasks[selectOn.task] : undefined;
  if (task === undefined) {
    return [{ key, message: `no downstream task "${selectOn.task}"; tasks: ${Object.keys(tasks).join(', ') || 'none'}` }];
  }
  const datasets = Object.keys(task.datasets);
  const normal = datasets.find((name) => name.includes('Normal'));
  if (normal === undefined) return [{ key, message: `downstream task "${selectOn.task}" has no dataset whose name contains "Normal" to score against` }];
  if (!datasets.includes(selectOn.dataset) || selectOn.dataset === normal) {
    return [{ key, message: `"${selectOn.dataset}" is not a pathological dataset of task "${selectOn.task}"; choose one of ${datasets.filter((name) => name !== normal).join(', ')}` }];
  }
  return [];
}
