import path from 'node:path';
import { REPO_ROOT } from './bench-configs.ts';
import { writeSweepResults } from './sweep-results-file.ts';

/** Writes the results file bench/results/<stem>-<date>.md, prints the markdown and names the file on stderr. */
export function publishResults(stem: string, markdown: string): void {
  const file = writeSweepResults(stem, markdown);
  process.stdout.write(markdown);
  process.stderr.write(`wrote ${path.relative(REPO_ROOT, file)}\n`);
}

/** Runs a bench script's main: a failure ends it with one line on stderr and exit code 1, not a stack trace. */
export async function runBench(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
