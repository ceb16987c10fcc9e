/**
 * Training throughput (images/s) and peak memory of every registered model, trained
 * through its real trainer on phantom batches, for a grid of image sizes and batch sizes
 * on the backend AELAB_BACKEND selects (default auto). Writes the markdown table to
 * bench/results/train-throughput-<backend>-<date>.md and prints it; progress goes to
 * stderr. See bench/README.md. Usage: npm run bench:train -- [--models baseline,vae] ...
 */
import os from 'node:os';
import { Command } from 'commander';
import { allConfigs, modelsWithoutConfig, selectConfigs, tfjsVersion } from './bench-configs.ts';
import { publishResults, runBench } from './bench-main.ts';
import { addStepBudgetOptions, nameList, positiveIntList, type StepBudget } from './bench-options.ts';
import { median } from './median.ts';
import type { CaseOutcome, ThroughputCase } from './throughput-case.ts';
import { runThroughputCase } from './throughput-case-runner.ts';
import { throughputMarkdown, type ThroughputRow } from './throughput-table.ts';

/** MorphAEus switches its morph loss on at epoch 11 (morph_start_epoch); 20 is past it. */
const EPOCH = 20;

interface BenchOptions extends StepBudget {
  /** Model registry names or config names (file names without .yaml); default all configs. */
  models?: string[];
  /** Image sides; default 128 and 64. */
  sizes: number[];
  /** Default 8 and 32. */
  batches: number[];
}

function parseOptions(argv: string[]): BenchOptions {
  const program = addStepBudgetOptions(new Command('bench:train'), 'case')
    .description('training images/s and peak memory per model, image size and batch size (see bench/README.md)')
    .option('--models <names>', 'comma-separated model registry names or config names (default: every config in configs/experiments/cxr)', nameList)
    .option('--sizes <sides>', 'comma-separated square image sides', positiveIntList, [128, 64])
    .option('--batches <sizes>', 'comma-separated batch sizes', positiveIntList, [8, 32])
    .showHelpAfterError();
  program.parse(argv, { from: 'user' });
  return program.opts<BenchOptions>();
}

function describeOutcome(outcome: CaseOutcome, batch: number): string {
  if (outcome.status !== 'measured') return `${outcome.status}: ${outcome.reason}`;
  return `${(batch / median(outcome.stepSeconds)).toFixed(2)} images/s`;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const every = allConfigs();
  const configs = selectConfigs(every, options.models);
  const uncovered = modelsWithoutConfig(every);
  const backendRequest = process.env.AELAB_BACKEND ?? 'auto';
  const grid = options.sizes.flatMap((size) => configs.flatMap((config) => options.batches.map((batch) => ({ size, config, batch }))));
  const started = new Date();
  const loadAtStart = os.loadavg()[0];
  const rows: ThroughputRow[] = [];
  const devices = new Set<string>();
  for (const [i, { size, config, batch }] of grid.entries()) {
    const label = `[${i + 1}/${grid.length}] ${config.name} (${config.modelName}) ${size}×${size} batch ${batch}`;
    process.stderr.write(`${label}: starting\n`);
    const spec: ThroughputCase = {
      configPath: config.path,
      modelName: config.modelName,
      size,
      batch,
      warmupSteps: options.warmup,
      steps: options.steps,
      maxSeconds: options.maxSecondsPerCase,
      epoch: EPOCH,
      backendRequest,
    };
    const run = await runThroughputCase(spec, label);
    if (run.device !== null) devices.add(`${run.backend}: ${run.device}`);
    process.stderr.write(`${label}: ${describeOutcome(run.outcome, batch)}\n`);
    rows.push({ config: config.name, modelName: config.modelName, size, batch, stepsRequested: options.steps, backend: run.backend, outcome: run.outcome, notes: run.notes });
  }
  const minutes = (Date.now() - started.getTime()) / 60000;
  const backends = [...new Set(rows.map((row) => row.backend).filter((name) => name !== null))];
  const backendLabel = backends.length === 1 ? backends[0] : backendRequest;
  const date = started.toISOString().slice(0, 10);
  const markdown = throughputMarkdown(
    {
      title: `Training throughput, ${backendLabel} backend, ${date}`,
      facts: [
        ['Command', `AELAB_BACKEND=${backendRequest} npm run bench:train -- ${process.argv.slice(2).join(' ')}`.trimEnd()],
        ['Machine', `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} CPU(s), ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB; Node ${process.version}; tfjs-core ${tfjsVersion()}`],
        ['Backend', [...devices].join('; ') || 'none selected'],
        [
          'Method',
          `each case in its own process; trainer.trainStep on a batch of phantoms at epoch ${EPOCH} (MorphAEus morph loss on); ` +
            `${options.warmup} warm-up step(s), then the median of ${options.steps} timed steps (wall clock); images/s = batch / median step; ` +
            'peak RSS is the process high-water mark (getrusage, includes model build), peak TF memory the largest tf.memory().numBytes ' +
            '(after every step, and within one extra step under tf.profile after the timed ones)',
        ],
        ['Budget', `${options.maxSecondsPerCase} s of steps per case; a case whose first step exceeds it is skipped`],
        ['Params', 'as in configs/experiments/cxr/<config>.yaml (written for 128×128); smaller sizes drop the deepest level(s), see Notes'],
        ...(uncovered.length > 0 ? [['Not benchmarked', `${uncovered.join(', ')} (no config in configs/experiments/cxr builds it)`] as [string, string]] : []),
        ['Total time', `${minutes.toFixed(1)} min`],
        [
          'Load average (1 min)',
          `${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end; CPU/wall below ~100% per single-threaded case means the steps shared the CPUs with other work`,
        ],
      ],
    },
    rows,
  );
  publishResults(`train-throughput-${backendLabel}`, markdown);
}

await runBench('bench:train', main);
