import { median } from './median.ts';

/** What bench/pytorch-case.py reports for a training case. */
export interface PytorchTrainResult {
  warmupSeconds: number[];
  stepSeconds: number[];
  stepCpuSeconds: number;
  trainer: string;
  peakRssBytes: number;
  torch: string;
  threads: number;
}

/** One side of a paired case: a throughput and a peak RSS, or why there is none. */
export type SideOutcome = { status: 'measured'; stepSeconds: number[]; peakRssBytes: number } | { status: 'failed' | 'skipped' | 'unsupported'; reason: string };

export interface PairedTrainRow {
  config: string;
  modelName: string;
  size: number;
  batch: number;
  ours: SideOutcome;
  theirs: SideOutcome;
  notes: string[];
}

/** Images per second of a side: batch / median step; null without a measurement. */
export function imagesPerSecond(side: SideOutcome, batch: number): number | null {
  return side.status === 'measured' ? batch / median(side.stepSeconds) : null;
}

/** Ours over theirs in images/s (above 1: we are faster); null when either side has no number. */
export function speedRatio(row: Pick<PairedTrainRow, 'ours' | 'theirs' | 'batch'>): number | null {
  const ours = imagesPerSecond(row.ours, row.batch);
  const theirs = imagesPerSecond(row.theirs, row.batch);
  return ours === null || theirs === null ? null : ours / theirs;
}

/**
 * The official model's params for a case: our size adaptation's `model.params.<key>`
 * overrides as a plain object (the official configs use the same keys).
 */
export function officialParamOverrides(overrides: Record<string, unknown>): Record<string, unknown> {
  const prefix = 'model.params.';
  return Object.fromEntries(Object.entries(overrides).filter(([key]) => key.startsWith(prefix)).map(([key, value]) => [key.slice(prefix.length), value]));
}

export interface CaseShape {
  config: string;
  size: number;
  batch: number;
}

/**
 * The cases of a run: with none of `models`, `sizes`, `batches` given, the three the
 * issue names (baseline and MorphAEus at 128² batch 8, baseline at 32² batch 64);
 * otherwise every config × size × batch, each list defaulting to every config, 128 and 8.
 */
export function pairedCases(allConfigNames: readonly string[], asked: { models?: string[]; sizes?: number[]; batches?: number[] }): CaseShape[] {
  if (asked.models === undefined && asked.sizes === undefined && asked.batches === undefined) {
    return [
      { config: 'baseline', size: 128, batch: 8 },
      { config: 'morphaeus', size: 128, batch: 8 },
      { config: 'baseline', size: 32, batch: 64 },
    ];
  }
  const models = asked.models ?? allConfigNames;
  return (asked.sizes ?? [128]).flatMap((size) => models.flatMap((config) => (asked.batches ?? [8]).map((batch) => ({ config, size, batch }))));
}
