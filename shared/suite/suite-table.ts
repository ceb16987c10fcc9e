import { csvRow } from '../evaluation/csv-row.ts';
import type { TaskResult } from '../evaluation/evaluation-record.ts';
import { summariseSeeds, type SeedSummary } from '../evaluation/seed-summary.ts';

/** Per pathological dataset: what the table reports of every evaluation, where it exists. */
const DATASET_METRICS = ['auroc', 'auprc', 'fpr95', 'fpr99', 'pixel_auroc', 'pixel_auprc', 'best_dice'] as const;
/** Per task, of its normal set. */
const NORMAL_METRIC = 'normal_ssim';
const METRIC_ORDER: readonly string[] = [...DATASET_METRICS, NORMAL_METRIC];

/** `reproductions/<suite>/table.json`. */
export interface SuiteTable {
  suite: string;
  methods: SuiteTableMethod[];
}

export interface SuiteTableMethod {
  method: string;
  runs: string[];
  /** `<task>/<dataset>/<metric>` → over the method's seeds. */
  metrics: Record<string, SeedSummary>;
}

/** What each method's runs scored: the results of one completed evaluation per run. */
export interface EvaluatedMethod {
  label: string;
  runs: { runId: string; tasks: TaskResult[] }[];
}

export function buildSuiteTable(suite: string, methods: readonly EvaluatedMethod[]): SuiteTable {
  return {
    suite,
    methods: methods.map((method) => {
      const values = new Map<string, number[]>();
      const add = (key: string, value: number | null) => {
        if (value !== null && Number.isFinite(value)) values.set(key, [...(values.get(key) ?? []), value]);
      };
      for (const run of method.runs) {
        for (const task of run.tasks) {
          add(`${task.task}/${task.normal_dataset}/${NORMAL_METRIC}`, task.normal_ssim);
          for (const dataset of task.datasets) for (const metric of DATASET_METRICS) add(`${task.task}/${dataset.dataset}/${metric}`, dataset[metric]);
        }
      }
      const metrics = Object.fromEntries([...values.keys()].sort().map((key) => [key, summariseSeeds(values.get(key)!)]));
      return { method: method.label, runs: method.runs.map((run) => run.runId), metrics };
    }),
  };
}

/** One markdown table per metric: methods down, `task/dataset` across, mean ± std (n). */
export function suiteTableMarkdown(table: SuiteTable): string {
  const sections = [`# ${table.suite}`, '', 'mean ± std over seeds (n runs)'];
  for (const metric of METRIC_ORDER) {
    const columns = [...new Set(table.methods.flatMap((method) => Object.keys(method.metrics).filter((key) => metricOf(key) === metric).map(columnOf)))].sort();
    if (columns.length === 0) continue;
    sections.push('', `## ${metric}`, '', `| method | ${columns.join(' | ')} |`, `|---|${columns.map(() => '---:').join('|')}|`);
    for (const method of table.methods) {
      const cells = columns.map((column) => {
        const cell = method.metrics[`${column}/${metric}`];
        return cell === undefined ? '–' : `${cell.mean.toFixed(3)} ± ${cell.std.toFixed(3)} (${cell.n})`;
      });
      sections.push(`| ${method.method} | ${cells.join(' | ')} |`);
    }
  }
  return `${sections.join('\n')}\n`;
}

/** Long form, one row per method and metric: `method,task,dataset,metric,mean,std,n`. */
export function suiteTableCsv(table: SuiteTable): string {
  const rows = [['method', 'task', 'dataset', 'metric', 'mean', 'std', 'n']];
  for (const method of table.methods) {
    for (const [key, cell] of Object.entries(method.metrics)) {
      const [task, dataset] = columnOf(key).split('/');
      rows.push([method.method, task, dataset, metricOf(key), String(cell.mean), String(cell.std), String(cell.n)]);
    }
  }
  return `${rows.map(csvRow).join('\n')}\n`;
}

function metricOf(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

function columnOf(key: string): string {
  return key.slice(0, key.lastIndexOf('/'));
}
