/**
 * Where the time goes: tf.profile per kernel of training steps (default a MorphAEus 128²
 * batch-8 step and a baseline 32² batch-64 step; --cases picks others), and a V8 CPU profile of an evaluation job (2,000
 * phantoms at 32², data loading included) split into phases. Writes
 * bench/results/profile-<date>.md and prints it. See bench/README.md.
 * Usage: npm run bench:profile -- [--cases morphaeus:128:8,dae:32:8] [--evaluation-images 2000] [--top 15]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { allConfigs, tfjsVersion } from './bench-configs.ts';
import { publishResults, runBench } from './bench-main.ts';
import { nameList, nonNegativeInt, positiveInt } from './bench-options.ts';
import { type CpuProfile, type PhaseRule, phaseTotals } from './cpu-profile-phases.ts';
import { median } from './median.ts';
import { prepareBenchEvaluation, runEvaluationCase } from './paired-evaluation.ts';
import { runThroughputCase } from './throughput-case-runner.ts';
import { escapeCell } from './vs-pytorch-table.ts';

interface TrainingCase {
  config: string;
  size: number;
  batch: number;
}

const DEFAULT_TRAINING_CASES = 'morphaeus:128:8,baseline:32:64';
/** What tf.profile calls a tf.customGrad function (e.g. the spatial transformer's warp), which runs kernels of its own. */
const CUSTOM_GRADIENT_SCOPE = 'unnamed scope';
const CUSTOM_GRADIENT_LABEL = 'tf.customGrad functions (warp, detach, …; their kernels are in their own rows too)';
const EVALUATION_CONFIG = 'baseline';
const EVALUATION_SIZE = 32;

/** Evaluation phases by the functions that do them (innermost named function wins). */
const EVALUATION_PHASES: PhaseRule[] = [
  { phase: 'backend set-up (TF.js backend, gradient registration)', functions: ['selectBackend@select-backend.ts', 'ensureGradientsRegistered'] },
  { phase: 'run config, model build, checkpoint', functions: ['parseExperimentConfigText', 'buildModel', 'loadCheckpoint', 'restoreWeights'] },
  { phase: 'opening the datasets (CSV lists, file checks)', functions: ['openTaskDatasets', 'open@csv-image-dataset.ts', 'assertSplitFilesExist'] },
  // Image reads resume from the microtask queue, where only the arrow inside load() and readResized are on the stack.
  { phase: 'loading images (PNG read, decode, resize)', functions: ['load@csv-image-dataset.ts', '@csv-image-dataset.ts', 'readResized'] },
  { phase: 'forward passes', functions: ['readOutputs'] },
  { phase: 'SSIM of the normal images', functions: ['ssim@ssim.ts'] },
  { phase: 'strip pictures (first 4 per set)', functions: ['renderStrip'] },
  { phase: 'histogram and ROC pictures', functions: ['renderHistogram', 'renderRocCurve'] },
  { phase: 'pixel metrics (pixel AUROC/AUPRC, best Dice)', functions: ['pixelAuroc', 'pixelAuprc', 'bestDice'] },
  { phase: 'image metrics (AUROC, AUPRC, FPR at TPR, ROC)', functions: ['auroc@auroc.ts', 'auprc@auprc.ts', 'fprAtTpr', 'rocCurve@roc-curve.ts'] },
  { phase: 'per-image residuals, scores, CSV rows', functions: ['scoreDataset', 'evaluateRun'] },
  { phase: 'writing files', functions: ['write@local-artifact-store.ts'] },
  { phase: 'idle (waiting for file reads)', functions: ['(idle)'] },
  { phase: 'garbage collection', functions: ['(garbage collector)'] },
];
const OTHER_PHASE = 'other (module loading and compiling, V8)';

interface ProfileOptions {
  evaluationImages: number;
  /** config:size:batch cases of the training profiles. */
  cases: TrainingCase[];
  top: number;
  /** False with --no-training: the evaluation profile alone. */
  training: boolean;
}

function parseOptions(argv: string[]): ProfileOptions {
  const program = new Command('bench:profile')
    .description('per-kernel profiles of two training steps and a phase profile of an evaluation job (see bench/README.md)')
    .option('--evaluation-images <n>', `phantoms of the evaluation (baseline at ${EVALUATION_SIZE}²); 0 skips it`, nonNegativeInt, 2000)
    .option('--cases <list>', 'training steps to profile, as config:size:batch', trainingCases, trainingCases(DEFAULT_TRAINING_CASES))
    .option('--top <n>', 'kernels listed per step; the rest are summed in one row', positiveInt, 15)
    .option('--no-training', 'skip the training steps (the evaluation profile alone)')
    .showHelpAfterError();
  program.parse(argv, { from: 'user' });
  return program.opts<ProfileOptions>();
}

function trainingCases(text: string): TrainingCase[] {
  return nameList(text).map((item) => {
    const [config, size, batch] = item.split(':');
    if (!allConfigs().some((candidate) => candidate.name === config) || size === undefined || batch === undefined) {
      throw new InvalidArgumentError(`expected config:size:batch with a config of configs/experiments/cxr/, got "${item}"`);
    }
    return { config, size: positiveInt(size), batch: positiveInt(batch) };
  });
}

async function trainingSection(config: string, size: number, batch: number, top: number): Promise<string[]> {
  const bench = allConfigs().find((candidate) => candidate.name === config)!;
  const label = `${config} ${size}² batch ${batch}`;
  const run = await runThroughputCase(
    { configPath: bench.path, modelName: bench.modelName, size, batch, warmupSteps: 1, steps: 3, maxSeconds: 900, epoch: 20, backendRequest: process.env.AELAB_BACKEND ?? 'auto' },
    label,
  );
  const lines = [`## Training step: ${bench.modelName} (${config}), ${size}×${size}, batch ${batch}`, ''];
  const { outcome } = run;
  if (outcome.status !== 'measured') return [...lines, `${outcome.status}: ${outcome.reason}`, ''];
  const kernels = outcome.profiledStep.kernels.map((kernel) => (kernel.name === CUSTOM_GRADIENT_SCOPE ? { ...kernel, name: CUSTOM_GRADIENT_LABEL } : kernel));
  // The custom-gradient functions' kernels have rows of their own: the total counts them once.
  const kernelMs = kernels.reduce((sum, kernel) => sum + (kernel.name === CUSTOM_GRADIENT_LABEL ? 0 : kernel.milliseconds), 0);
  lines.push(
    `Backend ${run.backend}: ${run.device}. Median of ${outcome.stepSeconds.length} timed steps ${median(outcome.stepSeconds).toFixed(2)} s; ` +
      `the profiled step ${outcome.profiledStep.seconds.toFixed(2)} s, of which kernels ${(kernelMs / 1000).toFixed(2)} s. ` +
      `${run.notes.join('; ')}`.trimEnd(),
    '',
    '| Kernel | Calls | Time (ms) | Share of kernel time |',
    '|---|--:|--:|--:|',
  );
  const shown = kernels.slice(0, top);
  const rest = kernels.slice(top);
  for (const kernel of shown) lines.push(`| ${escapeCell(kernel.name)} | ${kernel.calls} | ${kernel.milliseconds.toFixed(0)} | ${percent(kernel.milliseconds, kernelMs)} |`);
  if (rest.length > 0) {
    const restMs = rest.reduce((sum, kernel) => sum + kernel.milliseconds, 0);
    lines.push(`| ${rest.length} other kernels | ${rest.reduce((n, k) => n + k.calls, 0)} | ${restMs.toFixed(0)} | ${percent(restMs, kernelMs)} |`);
  }
  return [...lines, ''];
}

async function evaluationSection(images: number): Promise<string[]> {
  const config = allConfigs().find((candidate) => candidate.name === EVALUATION_CONFIG)!;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'bench-profile-'));
  try {
    const { spec } = await prepareBenchEvaluation(config, EVALUATION_SIZE, images, scratch);
    const profileDir = path.join(scratch, 'cpu-profile');
    const result = await runEvaluationCase(spec, os.availableParallelism(), ['--cpu-prof', '--cpu-prof-dir', profileDir]);
    const lines = [`## Evaluation job: ${config.modelName} (${config.name}), ${images} phantoms at ${EVALUATION_SIZE}×${EVALUATION_SIZE}`, ''];
    if (result.status !== 'measured') return [...lines, `failed: ${result.reason}`, ''];
    const profile = mainThreadProfile(profileDir);
    const phases = phaseTotals(profile, EVALUATION_PHASES, OTHER_PHASE);
    const totalMs = phases.reduce((sum, phase) => sum + phase.milliseconds, 0);
    lines.push(
      `Backend ${result.device}. evaluateRun took ${result.seconds.toFixed(2)} s; the whole process (start, module loading, evaluation) ${(totalMs / 1000).toFixed(2)} s of CPU profile; ` +
        `peak RSS ${(result.peakRssBytes / 1024 ** 2).toFixed(0)} MiB. Each sample counts for the innermost phase on its stack (node --cpu-prof).`,
      '',
      '| Phase | Time (ms) | Share |',
      '|---|--:|--:|',
      ...phases.map((phase) => `| ${phase.phase} | ${phase.milliseconds.toFixed(0)} | ${percent(phase.milliseconds, totalMs)} |`),
      '',
    );
    return lines;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The profile of the process's main thread: the one that ran evaluateRun (tsx's loader thread writes another). */
function mainThreadProfile(directory: string): CpuProfile {
  for (const file of readdirSync(directory)) {
    const profile = JSON.parse(readFileSync(path.join(directory, file), 'utf8')) as CpuProfile;
    if (profile.nodes.some((node) => node.callFrame.functionName === 'evaluateRun')) return profile;
  }
  throw new Error(`no CPU profile in ${directory} shows evaluateRun`);
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '—';
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = new Date();
  const loadAtStart = os.loadavg()[0];
  const sections: string[] = [];
  for (const { config, size, batch } of options.training ? options.cases : []) sections.push(...(await trainingSection(config, size, batch, options.top)));
  if (options.evaluationImages > 0) sections.push(...(await evaluationSection(options.evaluationImages)));
  const markdown = [
    `# Profiles, ${started.toISOString().slice(0, 10)}`,
    '',
    `- Command: \`npm run bench:profile -- ${process.argv.slice(2).join(' ')}\``.replace(' -- `', '`'),
    `- Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} CPU(s); Node ${process.version}; tfjs-core ${tfjsVersion()}`,
    '- Training steps: tf.profile of one step after the timed ones (bench:train case process, epoch 20, perceptual loss off); kernels are timed one by one, so the profiled step is slower than a plain one, and a kernel built from other kernels counts with them',
    `- Load average (1 min): ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end; ${((Date.now() - started.getTime()) / 60000).toFixed(1)} min in all`,
    '',
    ...sections,
  ].join('\n');
  publishResults('profile', markdown);
}

await runBench('bench:profile', main);
