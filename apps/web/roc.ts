/** One row of an evaluation's scores.csv. */
export interface ScoreRow {
  task: string;
  dataset: string;
  label: number;
  score: number;
}

export function parseScoresCsv(text: string): ScoreRow[] {
  const [header, ...lines] = text.trim().split('\n');
  const columns = header.split(',');
  const at = (name: string) => columns.indexOf(name);
  return lines.flatMap((line) => {
    // File names may be quoted and hold commas; task, dataset, label and score never do.
    const cells = line.split(',');
    const score = Number(cells[cells.length - 1]);
    const label = Number(cells[cells.length - 2]);
    if (!Number.isFinite(score)) return [];
    return [{ task: cells[at('task')], dataset: cells[at('dataset')], label, score }];
  });
}

/**
 * The ROC curve of normal (label 0) against pathological (label 1) scores, higher score
 * meaning more anomalous: a point per distinct threshold, from (0, 0) to (1, 1).
 */
export function rocPoints(normal: readonly number[], pathological: readonly number[]): [number, number][] {
  const all = [...normal.map((score) => ({ score, positive: false })), ...pathological.map((score) => ({ score, positive: true }))].sort((a, b) => b.score - a.score);
  const points: [number, number][] = [[0, 0]];
  let tp = 0;
  let fp = 0;
  all.forEach((item, i) => {
    if (item.positive) tp += 1;
    else fp += 1;
    if (i === all.length - 1 || all[i + 1].score !== item.score) points.push([fp / Math.max(1, normal.length), tp / Math.max(1, pathological.length)]);
  });
  return points;
}

/** Counts per bin of every series over one shared range, so the bars compare. */
export function histogramBins(series: readonly number[][], bins: number): { edges: number[]; counts: number[][] } {
  const values = series.flat();
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const width = hi > lo ? (hi - lo) / bins : 1;
  const edges = Array.from({ length: bins }, (_, i) => lo + (i + 0.5) * width);
  const counts = series.map((one) => {
    const row = new Array<number>(bins).fill(0);
    for (const v of one) row[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)))] += 1;
    return row;
  });
  return { edges, counts };
}
