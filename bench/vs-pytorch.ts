/**
 * Our training step against the official PyTorch code's, same model, image size and batch,
 * back to back, each case on each side in its own process: images/s, peak RSS and their
 * ratios. Writes bench/results/vs-pytorch-<date>.md and prints it; progress goes to
 * stderr. See bench/README.md. Usage: npm run bench:vs-pytorch -- --official <checkout>
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { allConfigs, type BenchConfig, selectConfigs, tfjsVersion } from './bench-configs.ts';
import { publishResults, runBench } from './bench-main.ts';
import { addStepBudgetOptions, nameList, nonNegativeInt, positiveInt, positiveIntList, type StepBudget } from './bench-options.ts';
import { findTorchPython, runPytorchCase } from './official-python.ts';
import { type CaseShape, officialParamOverrides, pairedCases, type PairedEvaluationRow, type PairedTrainRow, type PytorchTrainResult, type SideOutcome, speedRatio } from './paired-case.ts';
import { runPairedEvaluation } from './paired-evaluation.ts';
import { phantomImages } from './phantom-batch.ts';
import { adaptConfigToSize, SizeNotSupportedError } from './size-adapted-params.ts';
import type { ThroughputCase } from './throughput-case.ts';
import { runThroughputCase } from './throughput-case-runner.ts';
import { pairedEvaluationMarkdown, pairedTrainMarkdown } from './vs-pytorch-table.ts';

/** As bench:train: past MorphAEus's morph switch (epoch 11), so its morph loss is on. */
const EPOCH = 20;
/** The evaluation case: the baseline AE (five levels) on phantoms at 32², as in the one-class task. */
const EVALUATION_CONFIG = 'baseline';
const EVALUATION_SIZE = 32;

interface VsPytorchOptions extends StepBudget {
  official: string;
  python?: string;
  models?: string[];
  sizes?: number[];
  batches?: number[];
  threads: number;
  evaluationImages: number;
}

function parseOptions(argv: string[]): VsPytorchOptions {
  const program = addStepBudgetOptions(new Command('bench:vs-pytorch'), 'case and side')
    .description('training images/s and peak RSS, ours against the official PyTorch code, back to back (see bench/README.md)')
    .requiredOption('--official <checkout>', 'checkout of github.com/ci-ber/MorphAEus (imported, never modified)')
    .option('--python <interpreter>', 'python with torch (default: the first of python3, /usr/bin/python3, python that imports torch)')
    .option('--models <names>', 'config or model names (default without --sizes/--batches: the three standard cases)', nameList)
    .option('--sizes <sides>', 'square image sides (default 128 when --models or --batches is given)', positiveIntList)
    .option('--batches <sizes>', 'batch sizes (default 8 when --models or --sizes is given)', positiveIntList)
    .option('--threads <n>', 'torch threads, and AELAB_THREADS for our side', positiveInt, os.availableParallelism())
    .option('--evaluation-images <n>', `phantoms of the evaluation case (baseline at ${EVALUATION_SIZE}²); 0 skips it`, nonNegativeInt, 2000)
    .showHelpAfterError();
  program.parse(argv, { from: 'user' });
  return program.opts<VsPytorchOptions>();
}

async function oursSide(config: BenchConfig, shape: CaseShape, options: VsPytorchOptions, label: string): Promise<{ side: SideOutcome; notes: string[]; device: string | null }> {
  const spec: ThroughputCase = {
    configPath: config.path,
    modelName: config.modelName,
    size: shape.size,
    batch: shape.batch,
    warmupSteps: options.warmup,
    steps: options.steps,
    maxSeconds: options.maxSecondsPerCase,
    epoch: EPOCH,
    backendRequest: process.env.AELAB_BACKEND ?? 'auto',
  };
  const run = await runThroughputCase(spec, `${label} ours`, { ...process.env, AELAB_THREADS: String(options.threads) });
  const { outcome } = run;
  if (outcome.status !== 'measured') return { side: outcome, notes: run.notes, device: null };
  const notes = [...run.notes];
  if (outcome.stepSeconds.length < options.steps) notes.push(`ours: median of ${outcome.stepSeconds.length} step(s), not ${options.steps}: time budget`);
  const side: SideOutcome = { status: 'measured', stepSeconds: outcome.stepSeconds, stepCpuSeconds: outcome.stepCpuSeconds, peakRssBytes: outcome.peakRssBytes };
  return { side, notes, device: run.device === null ? null : `${run.backend}: ${run.device}` };
}

async function theirSide(python: string, config: BenchConfig, shape: CaseShape, options: VsPytorchOptions, scratch: string): Promise<{ side: SideOutcome; result?: PytorchTrainResult }> {
  let params: Record<string, unknown>;
  try {
    params = officialParamOverrides(adaptConfigToSize(config.path, shape.size).overrides);
  } catch (error) {
    if (error instanceof SizeNotSupportedError) return { side: { status: 'unsupported', reason: error.message } };
    throw error;
  }
  const batchFile = path.join(scratch, `batch-${shape.batch}x${shape.size}.f32`);
  const images = phantomImages(shape.batch, shape.size);
  writeFileSync(batchFile, new Uint8Array(images.buffer, images.byteOffset, images.byteLength));
  const args = [
    'train',
    ...['--official', options.official, '--config', `cxr/${config.name}.yaml`, '--batch-file', batchFile],
    ...['--size', String(shape.size), '--batch', String(shape.batch), '--threads', String(options.threads), '--params', JSON.stringify(params)],
    ...['--steps', String(options.steps), '--warmup', String(options.warmup), '--epoch', String(EPOCH)],
  ];
  try {
    const result = await runPytorchCase<PytorchTrainResult>(python, args, options.maxSecondsPerCase * 2 + 120);
    return { side: { status: 'measured', stepSeconds: result.stepSeconds, stepCpuSeconds: result.stepCpuSeconds, peakRssBytes: result.peakRssBytes }, result };
  } catch (error) {
    return { side: { status: 'failed', reason: error instanceof Error ? error.message : String(error) } };
  }
}

function describe(row: PairedTrainRow): string {
  const ratio = speedRatio(row);
  return ratio === null ? `ours ${row.ours.status}, PyTorch ${row.theirs.status}` : `ours ÷ PyTorch ${ratio.toFixed(2)}×`;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const python = findTorchPython(options.python);
  const every = allConfigs();
  const chosen = options.models === undefined ? undefined : selectConfigs(every, options.models).map((config) => config.name);
  const cases = pairedCases(every.map((config) => config.name), { models: chosen, sizes: options.sizes, batches: options.batches });
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'vs-pytorch-'));
  const started = new Date();
  const loadAtStart = os.loadavg()[0];
  const rows: PairedTrainRow[] = [];
  const devices = new Set<string>();
  let torchLine = 'not run';
  let evaluation: PairedEvaluationRow | null = null;
  try {
    for (const [i, shape] of cases.entries()) {
      const config = every.find((candidate) => candidate.name === shape.config)!;
      const label = `[${i + 1}/${cases.length}] ${config.name} ${shape.size}² batch ${shape.batch}`;
      process.stderr.write(`${label}: ours\n`);
      const ours = await oursSide(config, shape, options, label);
      if (ours.device !== null) devices.add(ours.device);
      process.stderr.write(`${label}: PyTorch\n`);
      const theirs = await theirSide(python, config, shape, options, scratch);
      if (theirs.result !== undefined) torchLine = `torch ${theirs.result.torch}, ${theirs.result.threads} thread(s)`;
      const row: PairedTrainRow = { config: config.name, modelName: config.modelName, size: shape.size, batch: shape.batch, ours: ours.side, theirs: theirs.side, notes: ours.notes };
      rows.push(row);
      process.stderr.write(`${label}: ${describe(row)}\n`);
    }
    if (options.evaluationImages > 0) {
      const config = every.find((candidate) => candidate.name === EVALUATION_CONFIG)!;
      evaluation = await runPairedEvaluation({
        python,
        official: options.official,
        config,
        size: EVALUATION_SIZE,
        images: options.evaluationImages,
        threads: options.threads,
        scratch,
        timeoutSeconds: options.maxSecondsPerCase * 2 + 120,
      });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const facts: Array<[string, string]> = [
    ['Command', `npm run bench:vs-pytorch -- ${process.argv.slice(2).join(' ')}`],
    ['Machine', `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} CPU(s), ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB; Node ${process.version}`],
    ['Ours', `tfjs-core ${tfjsVersion()}; ${[...devices].join('; ') || 'no backend selected'}; AELAB_THREADS=${options.threads}`],
    ['PyTorch', `${python}: ${torchLine}; official checkout ${options.official}`],
    [
      'Method',
      `per case, ours then PyTorch, each in its own process; each side trains through its real trainer on the same batch of phantoms at epoch ${EPOCH} ` +
        `(MorphAEus morph loss on): ours trainer.trainStep, theirs the official trainer's own train() loop; ${options.warmup} warm-up step(s), ` +
        `then the median of ${options.steps} timed steps; images/s = batch / median step; peak RSS = the process high-water mark (getrusage)`,
    ],
    ['Perceptual loss', 'off on both sides (no VGG19 ImageNet weights offline): ours alfa → 0, theirs a zero loss in place of PerceptualLoss'],
    ['Total time', `${((Date.now() - started.getTime()) / 60000).toFixed(1)} min`],
    ['Load average (1 min)', `${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end`],
  ];
  const markdown = [
    `# Training, ours vs the official PyTorch code, ${started.toISOString().slice(0, 10)}`,
    '',
    ...facts.map(([key, value]) => `- ${key}: ${value}`),
    '',
    ...pairedTrainMarkdown(rows),
    '',
    ...(evaluation === null
      ? []
      : [
          '## Evaluation',
          '',
          `Ours: the evaluate job's work (evaluateRun in its own process: PNG loading, forward passes, scores, SSIM, pixel metrics, pictures, files), model and weights load included. ` +
            `PyTorch: the official model in eval mode, PNGs read with Pillow, forward passes of the same batch size, mean |x_rec − x| per image and the AUROC; imports and model build excluded. ` +
            'Healthy vs opacity phantoms (opacity with masks), untrained weights on both sides (the cost does not depend on them; the AUROCs differ because each side draws its own initial weights).',
          '',
          ...pairedEvaluationMarkdown([evaluation]),
          '',
        ]),
  ].join('\n');
  publishResults('vs-pytorch', markdown);
}

await runBench('bench:vs-pytorch', main);
