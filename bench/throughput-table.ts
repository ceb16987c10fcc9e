import { median } from './median.ts';
import type { CaseOutcome } from './throughput-case.ts';

/** One row of the report: a case and what came of it. */
export interface ThroughputRow {
  /** Config file name without `.yaml`, e.g. `baseline`. */
  config: string;
  modelName: string;
  size: number;
  batch: number;
  /** Timed steps asked for; fewer ran when the budget ran out. */
  stepsRequested: number;
  /** Backend the case ran on; null when it never selected one. */
  backend: string | null;
  outcome: CaseOutcome;
  /** Deviations from the config as written (size adaptation, perceptual loss). */
  notes: string[];
}

/** Everything the report says besides the rows. */
export interface ThroughputReportHeader {
  title: string;
  /** `key: value` lines under the title, in order. */
  facts: Array<[string, string]>;
}

const MIB = 1024 * 1024;

/** The markdown report: the header's facts, then one table per image size, in the rows' order. */
export function throughputMarkdown(header: ThroughputReportHeader, rows: readonly ThroughputRow[]): string {
  const lines = [`# ${header.title}`, '', ...header.facts.map(([key, value]) => `- ${key}: ${value}`)];
  const sizes = [...new Set(rows.map((row) => row.size))];
  for (const size of sizes) {
    lines.push(
      '',
      `## ${size}×${size}`,
      '',
      '| Model | Config | Batch | Backend | Images/s | Median step (s) | Timed steps (s) | CPU/wall | Peak RSS (MiB) | Peak TF memory (MiB) | Notes |',
      '|---|---|--:|---|--:|--:|---|--:|--:|--:|---|',
    );
    for (const row of rows.filter((r) => r.size === size)) lines.push(tableRow(row));
  }
  return `${lines.join('\n')}\n`;
}

function tableRow(row: ThroughputRow): string {
  const { outcome } = row;
  const notes = [...row.notes];
  let measured: string[];
  if (outcome.status === 'measured') {
    const seconds = median(outcome.stepSeconds);
    const imagesPerSecond = row.batch / seconds;
    if (outcome.stepSeconds.length < row.stepsRequested) {
      notes.push(`median of ${outcome.stepSeconds.length} step(s), not ${row.stepsRequested}: time budget`);
    }
    measured = [
      imagesPerSecond.toFixed(imagesPerSecond >= 100 ? 0 : 2),
      seconds.toFixed(3),
      outcome.stepSeconds.map((s) => s.toFixed(2)).join(', '),
      `${((100 * outcome.stepCpuSeconds) / outcome.stepSeconds.reduce((a, b) => a + b, 0)).toFixed(0)}%`,
      (outcome.peakRssBytes / MIB).toFixed(0),
      (outcome.peakTfBytes / MIB).toFixed(0),
    ];
  } else {
    measured = [`${outcome.status}: ${outcome.reason}`, '—', '—', '—', '—', '—'];
  }
  const cells = [row.modelName, row.config, String(row.batch), row.backend ?? '—', ...measured, notes.join('; ')];
  return `| ${cells.map(escapeCell).join(' | ')} |`;
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
