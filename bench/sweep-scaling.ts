/**
 * Sweep scaling: the same sweep of fixed-length synthetic trials on 1, 2, 4 and 8 worker
 * processes (max_concurrent = workers), wall time against the ideal trials·seconds/workers.
 * Writes bench/results/sweep-scaling-<date>.md and prints it.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { median } from './median.ts';
import { machineLine, runSweepBench, stopStackOnSignals } from './sweep-bench-stack.ts';
import { writeSweepResults } from './sweep-results-file.ts';

const { values } = parseArgs({
  options: {
    /** Default 32. */
    trials: { type: 'string', default: '32' },
    /** Default 2: seconds_per_epoch of the single epoch. */
    seconds: { type: 'string', default: '2' },
    /** Default 1,2,4,8. */
    workers: { type: 'string', default: '1,2,4,8' },
  },
});
const trials = positive(values.trials, '--trials', true);
const seconds = positive(values.seconds, '--seconds', false);
const workerCounts = values.workers.split(',').map((w) => positive(w, '--workers', true));

function positive(text: string, option: string, integer: boolean): number {
  const value = Number(text);
  if (!(value > 0) || (integer && !Number.isInteger(value))) throw new Error(`${option}: expected a positive ${integer ? 'integer' : 'number'}, got "${text}"`);
  return value;
}

stopStackOnSignals();
const began = Date.now();
const loadAtStart = os.loadavg()[0];
const rows: string[] = [];
for (const workers of workerCounts) {
  process.stderr.write(`sweep-scaling: ${trials} trials of ${seconds} s on ${workers} worker(s)...\n`);
  const { trials: timings, wallMs } = await runSweepBench({ workers, trials, secondsPerEpoch: seconds, label: `scaling-${workers}` });
  const spanS = (Math.max(...timings.map((t) => t.finishedAt)) - Math.min(...timings.map((t) => t.startedAt))) / 1000;
  const idealS = (trials * seconds) / workers;
  const wallS = wallMs / 1000;
  const trialS = median(timings.map((t) => (t.finishedAt - t.startedAt) / 1000));
  rows.push(`| ${workers} | ${wallS.toFixed(1)} | ${spanS.toFixed(1)} | ${idealS.toFixed(1)} | ${((100 * idealS) / wallS).toFixed(1)}% | ${trialS.toFixed(2)} | ${(trialS - seconds).toFixed(2)} |`);
  process.stderr.write(`${rows.at(-1)}\n`);
}

const markdown = [
  `# Sweep scaling: ${trials} trials of ${seconds} s on ${workerCounts.join(', ')} worker processes`,
  '',
  `Run ${new Date(began).toISOString()}, took ${((Date.now() - began) / 1000).toFixed(0)} s in all (stack starts and stops included).`,
  '',
  '| | |',
  '|---|---|',
  `| Machine | ${machineLine()} |`,
  `| Sweep | random over \`model.params.x\`, ${trials} trials, max_concurrent = workers; synthetic_objective, seconds_per_epoch ${seconds}, nr_epochs 1, phantoms 8×8; AELAB_BACKEND=cpu; a fresh API + workers per row |`,
  `| Load average (1 min) | ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end |`,
  '',
  '| Workers | Wall (s) | Span (s) | Ideal (s) | Efficiency | Trial run, median (s) | Overhead per trial (s) |',
  '|---|---|---|---|---|---|---|',
  ...rows,
  '',
  'Columns: **Wall** POST /sweeps → sweep completed; **Span** first trial startedAt → last trial finishedAt (run.json); ' +
    `**Ideal** ${trials}·${seconds} s / workers; **Efficiency** ideal / wall; **Trial run** startedAt → finishedAt of one trial; ` +
    `**Overhead per trial** that minus the ${seconds} s epoch (data, checkpoint and run record writes; the warm training child is reused).`,
  '',
  'Notes:',
  '',
  `- The machine has ${os.availableParallelism()} CPU(s), shared with whatever else runs on it. The synthetic epoch waits with Atomics.wait and uses no CPU; ` +
    'the processes run the compiled build and each worker keeps its training child warm, so a trial costs no process start.',
  '- Each row starts its own API and workers (waiting until every worker is ready before submitting) and stops them after.',
  '',
].join('\n');

const file = writeSweepResults('sweep-scaling', markdown);
process.stdout.write(markdown);
process.stderr.write(`written to ${file}\n`);
