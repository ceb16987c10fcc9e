/**
 * The value of the series `name` in a Prometheus text exposition whose labels include all
 * of `labels` (all of them and no other when `exact`), or null when there is none.
 */
export function prometheusSample(text: string, name: string, labels: Record<string, string>, options: { exact?: boolean } = {}): number | null {
  const wanted = Object.entries(labels);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? ([^ ]+)/.exec(line);
    if (match === null || match[1] !== name) continue;
    const found = new Map([...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (options.exact === true && found.size !== wanted.length) continue;
    if (wanted.every(([key, value]) => found.get(key) === value)) return Number(match[3]);
  }
  return null;
}
