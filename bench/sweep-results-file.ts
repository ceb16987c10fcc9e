import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RESULTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');

/** Writes bench/results/<stem>-<YYYY-MM-DD>.md (`-2`, `-3`, ... when that day's exists) and returns its path. */
export function writeSweepResults(stem: string, markdown: string): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const base = `${stem}-${new Date().toISOString().slice(0, 10)}`;
  for (let n = 1; ; n += 1) {
    const candidate = path.join(RESULTS_DIR, n === 1 ? `${base}.md` : `${base}-${n}.md`);
    if (!existsSync(candidate)) {
      writeFileSync(candidate, markdown);
      return candidate;
    }
  }
}
