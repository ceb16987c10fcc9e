import { imagesPerSecond, type PairedTrainRow, type SideOutcome, speedRatio } from './paired-case.ts';

const MIB = 1024 * 1024;

/** The training table of the vs-pytorch report: one row per case, in the given order. */
export function pairedTrainMarkdown(rows: readonly PairedTrainRow[]): string[] {
  const lines = [
    '| Model | Config | Size | Batch | Ours images/s | PyTorch images/s | Ours ÷ PyTorch | Ours peak RSS (MiB) | PyTorch peak RSS (MiB) | RSS ours ÷ PyTorch | Ours steps (s) | PyTorch steps (s) | Notes |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|---|',
  ];
  for (const row of rows) {
    const ratio = speedRatio(row);
    const rssRatio = row.ours.status === 'measured' && row.theirs.status === 'measured' ? row.ours.peakRssBytes / row.theirs.peakRssBytes : null;
    const cells = [
      row.modelName,
      row.config,
      `${row.size}²`,
      String(row.batch),
      rate(row.ours, row.batch),
      rate(row.theirs, row.batch),
      ratio === null ? '—' : `${ratio.toFixed(2)}×`,
      rss(row.ours),
      rss(row.theirs),
      rssRatio === null ? '—' : `${rssRatio.toFixed(2)}×`,
      steps(row.ours),
      steps(row.theirs),
      row.notes.join('; '),
    ];
    lines.push(`| ${cells.map(escapeCell).join(' | ')} |`);
  }
  return lines;
}

function rate(side: SideOutcome, batch: number): string {
  const value = imagesPerSecond(side, batch);
  if (value === null) return side.status === 'measured' ? '—' : `${side.status}: ${side.reason}`;
  return value.toFixed(value >= 100 ? 0 : 2);
}

function rss(side: SideOutcome): string {
  return side.status === 'measured' ? (side.peakRssBytes / MIB).toFixed(0) : '—';
}

function steps(side: SideOutcome): string {
  return side.status === 'measured' ? side.stepSeconds.map((s) => s.toFixed(2)).join(', ') : '—';
}

export function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
