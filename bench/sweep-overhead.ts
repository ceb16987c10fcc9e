/**
 * Per-trial overhead of a sweep: N synthetic trials that train nothing (one epoch of 0 s)
 * on a pool of worker processes, max_concurrent = workers. Writes
 * bench/results/sweep-overhead-<date>.md and prints it.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { median } from './median.ts';
import { machineLine, percentile, runSweepBench, stopStackOnSignals, type TrialTiming } from './sweep-bench-stack.ts';
import { writeSweepResults } from './sweep-results-file.ts';

const { values } = parseArgs({
  options: {
    /** Default 1000. */
    trials: { type: 'string', default: '1000' },
    /** Default 4. */
    workers: { type: 'string', default: '4' },
  },
});
const trials = positiveInt(values.trials, '--trials');
const workers = positiveInt(values.workers, '--workers');

function positiveInt(text: string, option: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${option}: expected a positive integer, got "${text}"`);
  return value;
}

/** Gaps from each trial's end to the next trial's start on the same worker process. */
function idleGaps(timings: readonly TrialTiming[]): number[] {
  const byWorker = new Map<number, TrialTiming[]>();
  for (const t of timings) byWorker.set(t.workerPid, [...(byWorker.get(t.workerPid) ?? []), t]);
  return [...byWorker.values()].flatMap((list) => {
    const sorted = [...list].sort((a, b) => a.startedAt - b.startedAt);
    return sorted.slice(1).map((t, i) => t.startedAt - sorted[i].finishedAt);
  });
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);
const row = (name: string, ms: readonly number[], meaning: string) =>
  `| ${name} | ${seconds(median(ms))} | ${seconds(percentile(ms, 0.99))} | ${seconds(Math.max(...ms))} | ${meaning} |`;

stopStackOnSignals();
const loadAtStart = os.loadavg()[0];
const began = Date.now();
process.stderr.write(`sweep-overhead: ${trials} instant trials on ${workers} workers...\n`);
const { trials: timings, wallMs } = await runSweepBench({ workers, trials, secondsPerEpoch: 0, label: 'overhead' });
const first = Math.min(...timings.map((t) => t.startedAt));
const last = Math.max(...timings.map((t) => t.finishedAt));
const spanS = (last - first) / 1000;
const gaps = idleGaps(timings);
const usedWorkers = new Set(timings.map((t) => t.workerPid)).size;
const slotSecondsPerTrial = (spanS * workers) / trials;

const markdown = [
  `# Sweep overhead: ${trials} instant trials on ${workers} worker processes`,
  '',
  `Run ${new Date(began).toISOString()}, took ${((Date.now() - began) / 1000).toFixed(0)} s in all (stack start and stop included).`,
  '',
  '| | |',
  '|---|---|',
  `| Machine | ${machineLine()} |`,
  `| Sweep | random over \`model.params.x\` uniform [0, 1], ${trials} trials, max_concurrent ${workers}; synthetic_objective, seconds_per_epoch 0, nr_epochs 1, phantoms 8×8, train/val 8, batch 8; AELAB_BACKEND=cpu |`,
  `| Workers that ran trials | ${usedWorkers} of ${workers} |`,
  `| Load average (1 min) | ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end |`,
  '',
  '| Throughput | Value |',
  '|---|---|',
  `| Trials/s, first trial start → last trial end (${spanS.toFixed(1)} s) | ${(trials / spanS).toFixed(2)} |`,
  `| Trials/s, POST /sweeps → sweep completed (${(wallMs / 1000).toFixed(1)} s) | ${(trials / (wallMs / 1000)).toFixed(2)} |`,
  `| Worker-slot seconds per trial (span × workers / trials) | ${slotSecondsPerTrial.toFixed(2)} |`,
  '',
  '| Time per trial (s) | Median | p99 | Max | What it is |',
  '|---|---|---|---|---|',
  row('Trial run', timings.map((t) => t.finishedAt - t.startedAt), 'run.json startedAt → finishedAt: the worker holds the job'),
  row('Start-up to epoch record', timings.map((t) => t.firstRecordAt - t.startedAt), 'startedAt → mtime of metrics.jsonl: the lease, the start message to the warm training child, config, data, the 0 s epoch'),
  row('Epoch record to end', timings.map((t) => t.finishedAt - t.firstRecordAt), 'metrics.jsonl written → finishedAt: checkpoint, the child\'s health report, run record update; meanwhile the controller pass that queues the next trial'),
  row('Idle between trials, same worker', gaps, 'finishedAt of a trial → startedAt of the next trial on the same worker pid (run.json.worker.pid): job completion, BullMQ hand-out of the next trial (queued already when the pass started at the last epoch\'s record ended first), its run marked running'),
  '',
  'Notes:',
  '',
  `- Ray Tune publishes a per-trial overhead of about 0.14 s. Here one trial costs a worker slot ${slotSecondsPerTrial.toFixed(2)} s, ` +
    'with the API, workers and children running the compiled build (npm run build) and each worker\'s training child kept warm between trials; ' +
    'the queue/controller part is the "idle between trials" row.',
  `- The machine has ${os.availableParallelism()} CPU(s), shared with whatever else runs on it: every time here grows with the load average above.`,
  '- Timestamps are ISO milliseconds written by the worker (run.json) and file mtimes; all processes run on this one host, so there is no clock skew.',
  '',
].join('\n');

const file = writeSweepResults('sweep-overhead', markdown);
process.stdout.write(markdown);
process.stderr.write(`written to ${file}\n`);
