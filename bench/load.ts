/**
 * `npm run bench:load`: N run submissions over HTTP to a real API process, then a check that
 * every accepted run is listed by GET /api/v1/runs and queued. Prints a table, writes
 * bench/results/load.json, and exits 1 when a submission was lost.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { machineLine } from './sweep-bench-stack.ts';
import { runSubmissionLoad, type LatencySummary, type LoadReport } from './submission-load.ts';

const RESULTS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'load.json');

const { values } = parseArgs({
  options: {
    /** Default 10000. */
    runs: { type: 'string', default: '10000' },
    /** Default 32. */
    concurrency: { type: 'string', default: '32' },
    /** Default 500, the API's maximum. */
    'page-size': { type: 'string', default: '500' },
    /** The API's --max-old-space-size in MiB; default: Node's own. */
    'api-heap-mib': { type: 'string' },
  },
});
const runs = positiveInt(values.runs, '--runs');
const concurrency = positiveInt(values.concurrency, '--concurrency');
const pageSize = positiveInt(values['page-size'], '--page-size');
if (pageSize > 500) fail('--page-size: the API lists at most 500 runs per page');
const apiHeapLimitMiB = values['api-heap-mib'] === undefined ? undefined : positiveInt(values['api-heap-mib'], '--api-heap-mib');

function positiveInt(text: string, option: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) fail(`${option}: expected a positive integer, got "${text}"`);
  return value;
}

function fail(message: string): never {
  process.stderr.write(`bench:load: ${message}\n`);
  process.exit(2);
}

const interrupt = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping the API and removing its queue keys and storage...\n`);
    interrupt.abort();
  });
}

const bar = new cliProgress.SingleBar(
  { format: '  submit {bar} {value}/{total} | {rate} runs/s | ETA {eta_formatted}', hideCursor: true, etaBuffer: 500, noTTYOutput: true, notTTYSchedule: 5000 },
  cliProgress.Presets.shades_classic,
);
const loadAtStart = os.loadavg()[0];
process.stderr.write(`bench:load: starting the API, then ${runs} submissions, ${concurrency} at a time...\n`);
let submitStarted = 0;
let report: LoadReport;
try {
  report = await runSubmissionLoad({
    runs,
    concurrency,
    pageSize,
    apiHeapLimitMiB,
    signal: interrupt.signal,
    onSubmitted: (answered) => {
      if (submitStarted === 0) {
        submitStarted = Date.now();
        bar.start(runs, 0, { rate: '-' });
      }
      const seconds = (Date.now() - submitStarted) / 1000;
      bar.update(answered, { rate: seconds > 0 ? (answered / seconds).toFixed(0) : '-' });
      if (answered === runs) {
        bar.stop();
        process.stderr.write('bench:load: paging through GET /api/v1/runs, reading /metrics, cleaning up...\n');
      }
    },
  });
} catch (error) {
  bar.stop();
  process.stderr.write(`bench:load: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(interrupt.signal.aborted ? 130 : 1);
}
bar.stop();

const ms = (s: LatencySummary) => `${s.p50} | ${s.p90} | ${s.p99} | ${s.max}`;
const mib = (bytes: number) => (bytes / 1024 ** 2).toFixed(0);
const { submissions, listing, apiMemory } = report;
process.stdout.write(
  [
    '',
    `${runs} submissions, ${concurrency} in flight — ${report.passed ? 'none lost' : `FAILED: ${report.lost} lost`}`,
    '',
    '| Requests (ms) | n | p50 | p90 | p99 | max |',
    '|---|---|---|---|---|---|',
    `| POST /api/v1/runs | ${submissions.latencyMs.count} | ${ms(submissions.latencyMs)} |`,
    `| GET /api/v1/runs?limit=${listing.pageSize}&offset=k | ${listing.pagesLatencyMs.count} | ${ms(listing.pagesLatencyMs)} |`,
    `| GET /api/v1/runs (first 50) | ${listing.firstPageLatencyMs.count} | ${ms(listing.firstPageLatencyMs)} |`,
    `| GET /api/v1/runs?status=queued&limit=50 | ${listing.statusFilterLatencyMs.count} | ${ms(listing.statusFilterLatencyMs)} |`,
    '',
    '| | |',
    '|---|---|',
    `| Accepted / rejected | ${submissions.accepted} / ${submissions.rejected} |`,
    `| Submissions/s | ${submissions.perSecond} (${submissions.wallSeconds} s) |`,
    `| Listed / missing / duplicated / unexpected | ${listing.listed} / ${listing.missing} / ${listing.duplicates} / ${listing.unexpected} |`,
    `| total reported by the pages | ${listing.totals.join(', ')} |`,
    `| train jobs waiting | ${report.trainWaiting} |`,
    `| API RSS before → after (MiB) | ${mib(apiMemory.before.rssBytes)} → ${mib(apiMemory.after.rssBytes)} |`,
    `| API heap used before → after (MiB${apiHeapLimitMiB === undefined ? '' : `, --max-old-space-size=${apiHeapLimitMiB}`}) | ${mib(apiMemory.before.heapUsedBytes)} → ${mib(apiMemory.after.heapUsedBytes)} |`,
    `| Wall time (API start to cleanup) | ${report.wallSeconds} s |`,
    ...(submissions.rejections.length > 0 ? ['', 'First rejections:', ...submissions.rejections.map((r) => `  ${r}`)] : []),
    '',
  ].join('\n'),
);

mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
const argv = process.argv.slice(2).join(' ');
writeFileSync(
  RESULTS_FILE,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      command: `npm run bench:load${argv.length > 0 ? ` -- ${argv}` : ''}`,
      machine: machineLine(),
      loadAverage: { atStart: Number(loadAtStart.toFixed(2)), atEnd: Number(os.loadavg()[0].toFixed(2)) },
      ...report,
    },
    null,
    2,
  )}\n`,
);
process.stderr.write(`bench:load: wrote ${path.relative(process.cwd(), RESULTS_FILE)}\n`);
process.exit(report.passed ? 0 : 1);
