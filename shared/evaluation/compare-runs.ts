import { createHash } from 'node:crypto';
import { load } from 'js-yaml';
import type { RunRepository } from '../runs/run-repository.ts';
import type { ArtifactStore } from '../storage/artifact-store.ts';
import { runPaths } from '../storage/run-paths.ts';
import { csvRow } from './csv-row.ts';
import type { TaskResult } from './evaluation-record.ts';
import { EvaluationRepository } from './evaluation-repository.ts';
import { summariseSeeds, type SeedSummary } from './seed-summary.ts';

/** The metrics a comparison table can show, all per task and pathological dataset. */
export const COMPARABLE_METRICS = ['auroc', 'auprc', 'fpr95', 'fpr99'] as const;
export type ComparableMetric = (typeof COMPARABLE_METRICS)[number];

/** One row: runs whose configs are equal apart from the seed, i.e. one method. */
export interface MethodRow {
  method: string;
  runs: string[];
  /** Column (`task/dataset`) → mean and sample std over the runs that have it. */
  cells: Record<string, SeedSummary>;
}

export interface ComparisonTable {
  metric: ComparableMetric;
  columns: string[];
  rows: MethodRow[];
}

/**
 * The methods × tasks table: for each run its newest completed evaluation; runs whose
 * configs differ only in `seed` are one method, reported as mean ± std over seeds.
 */
export async function compareRuns(store: ArtifactStore, runs: RunRepository, runIds: string[], metric: ComparableMetric): Promise<ComparisonTable> {
  const evaluations = new EvaluationRepository(store);
  const groups = new Map<string, { method: string; runs: string[]; values: Map<string, number[]> }>();
  const columns = new Set<string>();
  for (const runId of runIds) {
    const run = await runs.get(runId);
    if (run === null) throw new Error(`no run ${runId}`);
    const results = await newestResults(evaluations, runId);
    if (results === null) throw new Error(`run ${runId} has no completed evaluation yet; evaluate it first (POST /api/v1/evaluations)`);
    const key = configWithoutSeed(await store.readText(runPaths(runId).config));
    const group = groups.get(key) ?? { method: run.name, runs: [], values: new Map<string, number[]>() };
    group.runs.push(runId);
    for (const task of results) {
      for (const dataset of task.datasets) {
        const column = `${task.task}/${dataset.dataset}`;
        columns.add(column);
        group.values.set(column, [...(group.values.get(column) ?? []), dataset[metric]]);
      }
    }
    groups.set(key, group);
  }
  const names = new Map<string, number>();
  const rows = [...groups.values()].map((group) => {
    // Two methods with one display name (configs differing in more than the seed) are told apart.
    const seen = (names.get(group.method) ?? 0) + 1;
    names.set(group.method, seen);
    const cells: MethodRow['cells'] = {};
    for (const [column, values] of group.values) cells[column] = summariseSeeds(values);
    return { method: seen === 1 ? group.method : `${group.method} (${seen})`, runs: group.runs, cells };
  });
  return { metric, columns: [...columns].sort(), rows };
}

export function tableAsMarkdown(table: ComparisonTable): string {
  const header = `| method | runs | ${table.columns.join(' | ')} |`;
  const rule = `|---|---:|${table.columns.map(() => '---:').join('|')}|`;
  const lines = table.rows.map((row) => `| ${row.method} | ${row.runs.length} | ${table.columns.map((column) => formatCell(row.cells[column])).join(' | ')} |`);
  return [`${table.metric.toUpperCase()} (mean ± std over seeds)`, '', header, rule, ...lines].join('\n');
}

export function tableAsCsv(table: ComparisonTable): string {
  const header = ['method', 'runs', ...table.columns.flatMap((column) => [`${column} ${table.metric} mean`, `${column} ${table.metric} std`])];
  const lines = table.rows.map((row) => [row.method, String(row.runs.length), ...table.columns.flatMap((column) => {
    const cell = row.cells[column];
    return cell === undefined ? ['', ''] : [String(cell.mean), String(cell.std)];
  })]);
  return [header, ...lines].map(csvRow).join('\n');
}

async function newestResults(evaluations: EvaluationRepository, runId: string): Promise<TaskResult[] | null> {
  const newest = await evaluations.newestCompleted(runId);
  return newest === null ? null : evaluations.results(newest);
}

function configWithoutSeed(configYaml: string): string {
  const { seed: _seed, ...rest } = (load(configYaml) ?? {}) as Record<string, unknown>;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

function formatCell(cell: SeedSummary | undefined): string {
  if (cell === undefined) return '–';
  return cell.n > 1 ? `${cell.mean.toFixed(3)} ± ${cell.std.toFixed(3)}` : cell.mean.toFixed(3);
}
