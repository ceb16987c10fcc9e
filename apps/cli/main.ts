/** The `aelab` command. */
import { Command, InvalidArgumentError } from 'commander';
import type { RunPage } from '../../shared/runs/run-repository.ts';
import type { RunRecord } from '../../shared/contracts/run-record.ts';
import { ApiClient, CliError } from './api-client.ts';
import { runDemo } from './demo-command.ts';
import { type PhantomsCommandOptions, writePhantomsCommand } from './phantoms-command.ts';
import { readSubmittedFile } from './read-submitted-file.ts';
import { formatSeconds, watchRun } from './watch-run.ts';
import { watchSweep } from './watch-sweep.ts';
import { watchSuite } from './watch-suite.ts';
import type { SuiteSubmission } from '../../shared/suite/suite-reproduction.ts';
import { suiteTableMarkdown } from '../../shared/suite/suite-table.ts';
import type { ImportWeightsOptions } from './import-weights-command.ts';
import type { PredictOptions } from './predict-command.ts';

const program = new Command();
program.name('aelab').description('Train, sweep and evaluate anomaly-detection autoencoders through the aelab queue.');
program.showHelpAfterError();

program
  .command('submit')
  .description('submit a training run from an experiment YAML file')
  .argument('<config>', 'experiment YAML file (e.g. configs/smoke/baseline.yaml)')
  .option('-s, --set <key=value...>', 'dotted-path override, e.g. trainer.params.nr_epochs=3 (value parsed as JSON when it can be)', collectOverrides, {})
  .option('-w, --watch', 'follow the run until it ends')
  .action(async (configFile: string, options: { set: Record<string, unknown>; watch?: boolean }) => {
    const text = await readSubmittedFile(configFile, 'config');
    const client = new ApiClient();
    const run = await client.post<RunRecord>('/api/v1/runs', { config: text, overrides: options.set });
    process.stdout.write(`${run.id}\n`);
    if (options.watch) await finishWatch(client, run.id);
  });

program
  .command('runs')
  .description('list runs, newest first')
  .option('--status <status>', 'only runs in this state (queued, running, completed, failed, cancelled)')
  .option('--limit <n>', 'how many', parsePositiveInt, 20)
  .option('--offset <n>', 'skip this many', parseNonNegativeInt, 0)
  .action(async (options: { status?: string; limit: number; offset: number }) => {
    const query = new URLSearchParams({ limit: String(options.limit), offset: String(options.offset) });
    if (options.status) query.set('status', options.status);
    const page = await new ApiClient().get<Omit<RunPage, 'runs'> & { runs: Array<RunRecord & { waitingFor?: string | null }> }>(`/api/v1/runs?${query}`);
    const rows = page.runs.map((run) => [
      run.id,
      run.status,
      `${run.epoch}/${run.totalEpochs}`,
      run.model,
      run.seed === undefined ? '–' : String(run.seed),
      run.best ? `${run.best.metric}=${run.best.value.toPrecision(4)}` : '–',
      run.name,
      run.submittedBy ?? '–',
      run.waitingFor ? `waiting for ${run.waitingFor}` : '',
    ]);
    printTable(['ID', 'STATUS', 'EPOCH', 'MODEL', 'SEED', 'BEST', 'NAME', 'BY', ''], rows);
    process.stdout.write(`${page.runs.length} of ${page.total} runs\n`);
  });

program
  .command('status')
  .description('show one run as JSON')
  .argument('<runId>')
  .action(async (runId: string) => {
    process.stdout.write(`${JSON.stringify(await new ApiClient().get(`/api/v1/runs/${encodeURIComponent(runId)}`), null, 2)}\n`);
  });

program
  .command('watch')
  .description('follow a run with a progress bar until it ends')
  .argument('<runId>')
  .action(async (runId: string) => finishWatch(new ApiClient(), runId));

program
  .command('cancel')
  .description('cancel a queued or running run (a running one stops between batches and keeps its checkpoint)')
  .argument('<runId>')
  .action(async (runId: string) => {
    const run = await new ApiClient().post<RunRecord & { cancelRequested?: boolean }>(`/api/v1/runs/${encodeURIComponent(runId)}/cancel`);
    process.stdout.write(run.cancelRequested ? `cancel requested; ${run.id} stops after its current batch\n` : `${run.id} is ${run.status}\n`);
  });

program
  .command('priority')
  .description('change the priority of a waiting run (high, normal or low); running runs are never preempted')
  .argument('<runId>')
  .argument('<priority>', 'high | normal | low')
  .action(async (runId: string, priority: string) => {
    const run = await new ApiClient().post<RunRecord>(`/api/v1/runs/${encodeURIComponent(runId)}/priority`, { priority });
    process.stdout.write(`${run.id} is ${run.status} with priority ${run.priority}\n`);
  });

program
  .command('demo')
  .description('start Redis (if needed), the API and a worker; train the baseline AE on phantoms with two seeds through the queue, evaluate both, print the AUROC table and the web UI address')
  .option('--keep', 'keep the API and dashboard running after the run (default when run in a terminal)')
  .option('--no-keep', 'stop everything when the run ends')
  .option('--dir <folder>', 'folder for the demo storage, data and logs', 'var/demo')
  .action(async (options: { keep?: boolean; dir: string }) => {
    await runDemo({ keep: options.keep ?? process.stdout.isTTY === true, directory: options.dir });
  });

program
  .command('evaluate')
  .description("evaluate a run's checkpoint on its downstream tasks (AUROC, AUPRC, FPR95/99, pictures)")
  .argument('<runId>')
  .option('--checkpoint <which>', 'best or latest', 'best')
  .option('--task <name...>', "only these of the run's downstream tasks")
  .action(async (runId: string, options: { checkpoint: string; task?: string[] }) => {
    const client = new ApiClient();
    const evaluation = await client.post<{ id: string }>('/api/v1/evaluations', { runId, checkpoint: options.checkpoint, tasks: options.task });
    process.stdout.write(`${evaluation.id}\n`);
  });

program
  .command('table')
  .description('the methods × tasks table of evaluated runs (mean ± std over runs that differ only in seed)')
  .option('--runs <ids>', 'comma-separated run ids')
  .option('--sweep <id>', "a sweep's trials")
  .option('--metric <name>', 'auroc, auprc, fpr95 or fpr99', 'auroc')
  .option('--csv', 'CSV instead of markdown')
  .action(async (options: { runs?: string; sweep?: string; metric: string; csv?: boolean }) => {
    if ((options.runs === undefined) === (options.sweep === undefined)) throw new CliError('give exactly one of --runs or --sweep');
    const query = new URLSearchParams({ metric: options.metric, format: options.csv ? 'csv' : 'markdown' });
    if (options.runs !== undefined) query.set('runs', options.runs);
    if (options.sweep !== undefined) query.set('sweep', options.sweep);
    process.stdout.write(await new ApiClient().getText(`/api/v1/compare?${query}`));
  });

program
  .command('reproduce')
  .description('train every method × seed of a suite, evaluate each run and write its table (reproductions/<name>/table.json|md|csv)')
  .argument('<suite>', 'suite YAML file (e.g. configs/suites/smoke.yaml)')
  .option('--no-wait', 'submit and return without following the suite')
  .action(async (file: string, options: { wait: boolean }) => {
    const text = await readSubmittedFile(file, 'suite');
    const client = new ApiClient();
    const submitted = await client.post<SuiteSubmission>('/api/v1/suites', { suite: text, source: file });
    process.stdout.write(`suite ${submitted.name}: ${submitted.created.length} runs queued, ${submitted.resumed.length} resumed, ${submitted.unchanged.length} already there\n`);
    if (!options.wait) return;
    const finished = await watchSuite(client, submitted.name);
    if (finished.table !== null) process.stdout.write(`\n${suiteTableMarkdown(finished.table)}\ntable: reproductions/${finished.name}/table.json, table.md, table.csv in the storage\n`);
    if (finished.status !== 'completed') process.exitCode = 1;
  });

const sweep = program.command('sweep').description('hyperparameter sweeps');
sweep
  .command('submit', { isDefault: true })
  .description('submit a sweep from a sweep YAML file (see configs/sweeps/)')
  .argument('<file>', 'sweep YAML file')
  .option('-w, --watch', 'follow the sweep until it ends')
  .action(async (file: string, options: { watch?: boolean }) => {
    const text = await readSubmittedFile(file, 'sweep');
    const client = new ApiClient();
    const submitted = await client.post<{ id: string }>('/api/v1/sweeps', { sweep: text });
    process.stdout.write(`${submitted.id}\n`);
    if (options.watch) await watchSweep(client, submitted.id);
  });
sweep
  .command('watch')
  .description("show a sweep's trials live until it ends")
  .argument('<sweepId>')
  .action(async (sweepId: string) => {
    const finished = await watchSweep(new ApiClient(), sweepId);
    if (finished.status !== 'completed') process.exitCode = 1;
  });
sweep
  .command('cancel')
  .description('cancel a sweep: waiting trials removed, running trials stopped after their batch, checkpoints kept')
  .argument('<sweepId>')
  .action(async (sweepId: string) => {
    await new ApiClient().post(`/api/v1/sweeps/${encodeURIComponent(sweepId)}/cancel`);
    process.stdout.write(`cancel requested for ${sweepId}\n`);
  });

const data = program.command('data').description('datasets');
data
  .command('phantoms')
  .description('write synthetic chest-X-ray phantoms (PNG), pathology masks and split CSVs')
  .requiredOption('--out <folder>', 'where to write them')
  .option('--size <pixels>', 'image height and width', parsePositiveInt, 64)
  .option('--train <n>', 'normal training images', parsePositiveInt, 256)
  .option('--val <n>', 'normal validation images', parsePositiveInt, 32)
  .option('--test <n>', 'normal test images', parsePositiveInt, 32)
  .option('--pathology <n>', 'test images per pathology (opacity, nodule, effusion)', parsePositiveInt, 32)
  .option('--seed <n>', 'which phantoms', parseNonNegativeInt, 7)
  .action(async (options: PhantomsCommandOptions) => writePhantomsCommand(options));

program
  .command('import-weights')
  .description('turn a PyTorch state_dict (safetensors) into a checkpoint folder for `predict --checkpoint`')
  .requiredOption('--from <file>', 'the state_dict as safetensors (README: exporting official weights)')
  .requiredOption('--out <folder>', 'checkpoint folder to create (new or empty)')
  .option('--config <file>', 'experiment YAML giving the model, its params, mode and input size')
  .option('--model <name>', 'without --config: registry name of the model, e.g. conv_autoencoder')
  .option('--params <file>', 'with --model: YAML/JSON of model.params, or a config file whose model.params is used')
  .option('--size <HxW>', 'with --model: input size (default 128x128)', parseSize)
  .option('--mode <mode>', 'with --model: reference or corrected (default reference)')
  .action(async (options: ImportWeightsOptions) => {
    const { importWeightsCommand } = await import('./import-weights-command.ts');
    await importWeightsCommand(options, (line) => process.stdout.write(`${line}\n`));
  });

program
  .command('predict')
  .description('reconstruct PNG images: <name>_reconstruction.png, <name>_residual.png and scores.csv (mean |x_rec - x|)')
  .argument('<images...>', 'PNG files, or folders of them')
  .option('--run <id>', 'a run in AELAB_STORAGE: its best checkpoint and config')
  .option('--checkpoint <folder>', 'a checkpoint folder (import-weights output, or runs/<id>/checkpoints/best)')
  .option('--config <file>', "experiment YAML naming the model (default: the checkpoint's model.json or its run's config)")
  .requiredOption('--out <folder>', 'where to write the PNGs and scores.csv')
  .option('--batch-size <n>', 'images per forward pass', parsePositiveInt, 8)
  .option('--depth <bits>', 'PNG bits per sample: 8 or 16', parsePngDepth, 8)
  .action(async (images: string[], options: Omit<PredictOptions, 'images'>) => {
    const { predictCommand } = await import('./predict-command.ts');
    await predictCommand({ ...options, images }, (line) => process.stdout.write(`${line}\n`));
  });

async function finishWatch(client: ApiClient, runId: string): Promise<void> {
  const started = Date.now();
  const run = await watchRun(client, runId);
  process.stdout.write(`run ${run.id} ${run.status} after ${run.epoch} epochs (${formatSeconds((Date.now() - started) / 1000)} watched)\n`);
  if (run.status !== 'completed') process.exitCode = 1;
}

function collectOverrides(value: string, previous: Record<string, unknown>): Record<string, unknown> {
  const equals = value.indexOf('=');
  if (equals <= 0) throw new InvalidArgumentError(`expected key=value, got "${value}"`);
  const raw = value.slice(equals + 1);
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = raw;
  }
  return { ...previous, [value.slice(0, equals)]: parsed };
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

function parseSize(value: string): [number, number] {
  const match = /^(\d+)x(\d+)$/i.exec(value.trim());
  if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) throw new InvalidArgumentError('expected HEIGHTxWIDTH, e.g. 128x128');
  return [Number(match[1]), Number(match[2])];
}

function parsePngDepth(value: string): 8 | 16 {
  if (value !== '8' && value !== '16') throw new InvalidArgumentError('expected 8 or 16');
  return value === '8' ? 8 : 16;
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  for (const row of [header, ...rows]) process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i])).join('  ')}\n`);
}

program.parseAsync(process.argv).catch((error: unknown) => {
  const message = error instanceof CliError ? error.message : error instanceof Error ? error.message : String(error);
  process.stderr.write(`aelab: ${message}\n`);
  process.exit(1);
});
