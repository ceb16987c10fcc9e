import { evaluationTimeRatio, imagesPerSecond, type PairedEvaluationRow, type PairedTrainRow, type SideOutcome, speedRatio } from './paired-case.ts';

const MIB = 1024 * 1024;

/** The training table of the vs-pytorch report: one row per case, in the given order. */
export function pairedTrainMarkdown(rows: readonly PairedTrainRow[]): string[] {
  const lines = [
    '| Model | Config | Size | Batch | Ours images/s | PyTorch images/s | Ours ÷ PyTorch | Ours peak RSS (MiB) | PyTorch peak RSS (MiB) | RSS ours ÷ PyTorch | Ours steps (s) | PyTorch steps (s) | CPU/wall ours, PyTorch | Notes |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|---|---|',
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
      `${cpuShare(row.ours)}, ${cpuShare(row.theirs)}`,
      row.notes.join('; '),
    ];
    lines.push(`| ${cells.map(escapeCell).join(' | ')} |`);
  }
  return lines;
}

/** The evaluation table: our whole evaluation against PyTorch's PNG loading, forward pass and AUROC. */
export function pairedEvaluationMarkdown(rows: readonly PairedEvaluationRow[]): string[] {
  const lines = [
    '| Config | Size | Images | Ours: evaluation (s) | PyTorch: load PNGs (s) | PyTorch: forward + AUROC (s) | Ours ÷ PyTorch (time) | Ours peak RSS (MiB) | PyTorch peak RSS (MiB) | AUROC ours / PyTorch |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|---|',
  ];
  for (const row of rows) {
    const { ours, theirs } = row;
    const ratio = evaluationTimeRatio(row);
    const cells = [
      row.config,
      `${row.size}²`,
      String(row.images),
      ours.status === 'measured' ? ours.seconds.toFixed(2) : `failed: ${ours.reason}`,
      theirs.status === 'measured' ? theirs.loadSeconds.toFixed(2) : `failed: ${theirs.reason}`,
      theirs.status === 'measured' ? theirs.scoreSeconds.toFixed(2) : '—',
      ratio === null ? '—' : `${ratio.toFixed(2)}×`,
      ours.status === 'measured' ? (ours.peakRssBytes / MIB).toFixed(0) : '—',
      theirs.status === 'measured' ? (theirs.peakRssBytes / MIB).toFixed(0) : '—',
      `${ours.status === 'measured' ? ours.auroc.toFixed(4) : '—'} / ${theirs.status === 'measured' ? theirs.auroc.toFixed(4) : '—'}`,
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

/** CPU time over wall time of the timed steps: about 100% per busy thread when nothing else competes for the CPUs. */
function cpuShare(side: SideOutcome): string {
  if (side.status !== 'measured') return '—';
  return `${((100 * side.stepCpuSeconds) / side.stepSeconds.reduce((a, b) => a + b, 0)).toFixed(0)}%`;
}

function steps(side: SideOutcome): string {
  return side.status === 'measured' ? side.stepSeconds.map((s) => s.toFixed(2)).join(', ') : '—';
}

export function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
