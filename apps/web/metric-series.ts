/** A metrics.jsonl line as the API returns it: numbers, possibly nested one level (`train.loss`). */
export type EpochRecord = Record<string, unknown> & { epoch: number };

/** Every numeric series of the records, keyed by dotted name (`val.loss_mse`), as [epoch, value] points. */
export function seriesOf(records: readonly EpochRecord[]): Map<string, [number, number][]> {
  const series = new Map<string, [number, number][]>();
  const add = (key: string, epoch: number, value: unknown) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) return;
    const points = series.get(key) ?? [];
    points.push([epoch + 1, value]);
    series.set(key, points);
  };
  for (const record of records) {
    for (const [key, value] of Object.entries(record)) {
      if (key === 'epoch') continue;
      if (value !== null && typeof value === 'object') for (const [inner, v] of Object.entries(value)) add(`${key}.${inner}`, record.epoch, v);
      else add(key, record.epoch, value);
    }
  }
  return new Map([...series.entries()].sort(([a], [b]) => seriesRank(a) - seriesRank(b) || a.localeCompare(b)));
}

/** Losses first (train, then validation), then the rest: what people look at first. */
function seriesRank(key: string): number {
  if (key.startsWith('train.')) return 0;
  if (key.startsWith('val.')) return 1;
  return 2;
}

/**
 * Exponential moving average with TensorBoard's debiasing, `weight` in [0, 1): 0 leaves the
 * curve as it is; the first points are not pulled towards zero.
 */
export function smooth(points: readonly [number, number][], weight: number): [number, number][] {
  if (weight <= 0) return [...points];
  let last = 0;
  return points.map(([x, y], i) => {
    last = last * weight + (1 - weight) * y;
    return [x, last / (1 - weight ** (i + 1))];
  });
}
