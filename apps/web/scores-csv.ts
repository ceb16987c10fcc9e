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
