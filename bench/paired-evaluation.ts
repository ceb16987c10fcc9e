import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { forwardBatchSize } from '../shared/evaluation/evaluate-run.ts';
import { selectBackend } from '../shared/ml/backend/select-backend.ts';
import { openArtifactStore } from '../shared/storage/open-artifact-store.ts';
import type { BenchConfig } from './bench-configs.ts';
import { type EvaluationFixture, prepareEvaluationRun } from './evaluation-fixture.ts';
import { runPytorchCase } from './official-python.ts';
import { officialParamOverrides, type PairedEvaluationRow, type PytorchEvaluationResult } from './paired-case.ts';
import type { EvaluationCase, EvaluationCaseResult } from './run-evaluation-case.ts';
import { adaptConfigToSize } from './size-adapted-params.ts';

const CASE_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'run-evaluation-case.ts');

export interface PairedEvaluationOptions {
  python: string;
  official: string;
  config: BenchConfig;
  size: number;
  /** Healthy and opacity phantoms together, half each. */
  images: number;
  threads: number;
  /** Folder for the phantoms and the run; the caller removes it. */
  scratch: string;
  timeoutSeconds: number;
}

/**
 * Evaluates one run both ways on the same phantom PNGs, ours first: our evaluation job's
 * work (evaluateRun: loading, forward passes, every metric, pictures, files) in its own
 * process, then the official model's forward pass and AUROC in PyTorch, loading included.
 */
export async function runPairedEvaluation(options: PairedEvaluationOptions): Promise<PairedEvaluationRow> {
  const { config, size, images } = options;
  const prepared = await prepareBenchEvaluation(config, size, images, options.scratch);
  const row: PairedEvaluationRow = { config: config.name, size, images, ours: { status: 'failed', reason: 'not run' }, theirs: { status: 'failed', reason: 'not run' } };
  process.stderr.write('evaluation: ours\n');
  const ours = await runEvaluationCase(prepared.spec, options.threads);
  row.ours = ours.status === 'measured' ? { status: 'measured', seconds: ours.seconds, auroc: ours.auroc, peakRssBytes: ours.peakRssBytes } : ours;
  process.stderr.write('evaluation: PyTorch\n');
  const { fixture } = prepared;
  const args = [
    'evaluate',
    ...['--official', options.official, '--config', `cxr/${config.name}.yaml`, '--size', String(size), '--threads', String(options.threads)],
    ...['--batch', String(forwardBatchSize(size, size)), '--params', JSON.stringify(officialParamOverrides(adaptConfigToSize(config.path, size).overrides))],
    ...['--normal-csv', fixture.normalCsv, '--anomalous-csv', fixture.anomalousCsv, '--data-root', prepared.spec.dataRoot],
  ];
  try {
    row.theirs = { status: 'measured', ...(await runPytorchCase<PytorchEvaluationResult>(options.python, args, options.timeoutSeconds)) };
  } catch (error) {
    row.theirs = { status: 'failed', reason: error instanceof Error ? error.message : String(error) };
  }
  return row;
}

/** Phantom PNGs (half healthy, half opacity) and a run of `config` at `size`² to evaluate, under `scratch`. */
export async function prepareBenchEvaluation(config: BenchConfig, size: number, images: number, scratch: string): Promise<{ spec: EvaluationCase; fixture: EvaluationFixture }> {
  process.stderr.write(`evaluation: writing ${images} phantom PNGs at ${size}²\n`);
  await selectBackend('cpu');
  const storage = path.join(scratch, 'storage');
  const dataDir = path.join(scratch, 'phantoms');
  const fixture = await prepareEvaluationRun({
    configPath: config.path,
    size,
    normalCount: Math.ceil(images / 2),
    anomalousCount: Math.floor(images / 2),
    dataDir,
    store: openArtifactStore(storage),
    runId: 'r-bench-evaluation',
  });
  const spec: EvaluationCase = { storage, runId: fixture.runId, dataRoot: dataDir, backendRequest: process.env.AELAB_BACKEND ?? 'auto', modelName: config.modelName };
  return { spec, fixture };
}

/** Runs bench/run-evaluation-case.ts in its own process (with `nodeOptions` after this process's own, e.g. --cpu-prof); never rejects. */
export function runEvaluationCase(spec: EvaluationCase, threads: number, nodeOptions: string[] = []): Promise<EvaluationCaseResult> {
  return new Promise((resolve) => {
    let result: EvaluationCaseResult | null = null;
    const child = fork(CASE_SCRIPT, [JSON.stringify(spec)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, AELAB_THREADS: String(threads) },
      execArgv: [...process.execArgv, ...nodeOptions],
    });
    child.on('message', (message: EvaluationCaseResult) => (result = message));
    child.on('exit', (code, signal) => resolve(result ?? { status: 'failed', reason: `the evaluation process exited with ${signal ?? `code ${code}`} before reporting` }));
  });
}
