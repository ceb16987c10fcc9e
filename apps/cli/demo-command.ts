import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunRecord } from '../../shared/contracts/run-record.ts';
import { writePhantomDataset } from '../../shared/data/write-phantom-dataset.ts';
import { findOrStartRedis, freePort, RedisUnavailableError } from '../../shared/queue/local-redis.ts';
import { redisUrl } from '../../shared/queue/redis-connection.ts';
import { ApiClient, CliError } from './api-client.ts';
import { ManagedProcess } from './managed-process.ts';
import { describeMetrics } from '../../shared/observability/describe-metrics.ts';
import { watchEvaluation } from './watch-evaluation.ts';
import { formatSeconds, watchRun } from './watch-run.ts';
import { entryNextTo } from '../../shared/process/node-entry.ts';

/** Two seeds of the demo config: one method, so the comparison shows mean ± std and the gallery two columns. */
const DEMO_SEEDS = [2109, 7];

export interface DemoOptions {
  /** Keep API and dashboard up after the run until Ctrl-C; default: when stdout is a terminal. */
  keep: boolean;
  /** Folder for the demo's storage, data and logs; default `var/demo`. */
  directory: string;
}

/**
 * `npm run demo`: Redis (found or started), the API and one worker as real processes,
 * a phantom dataset on disk, and the baseline autoencoder trained through the queue with
 * two seeds, each evaluated on the phantom test set; ends with the AUROC table and the web UI's address.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  const started = Date.now();
  const directory = resolve(options.directory);
  const say = (line: string) => process.stdout.write(`${line}\n`);

  let redis;
  try {
    redis = await findOrStartRedis(redisUrl());
  } catch (error) {
    if (error instanceof RedisUnavailableError) throw new CliError(error.message);
    throw error;
  }
  say(redis.started ? `Started a private Redis at ${redis.url} (it stops when the demo ends).` : `Using the Redis at ${redis.url}.`);

  const processes: ManagedProcess[] = [];
  const cleanup = async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await redis.stop();
  };
  // Whatever ends the demo early (a closed terminal, a pipe whose reader left, SIGTERM), the
  // processes and the private Redis it started go with it.
  process.stdout.on('error', () => undefined);
  const abort = () => void cleanup().finally(() => process.exit(130));
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) process.once(signal, abort);
  if (!options.keep) process.once('SIGINT', abort);
  try {
    const storage = join(directory, 'storage');
    const dataRoot = join(directory, 'phantoms');
    await rm(directory, { recursive: true, force: true });
    await mkdir(storage, { recursive: true });

    say('Generating the phantom dataset (64×64 chest-X-ray-like images with pathologies)…');
    const written = await writePhantomDataset({ outDir: dataRoot, size: [64, 64], trainCount: 256, valCount: 32, testCount: 32, pathologyCount: 32, seed: 7 });
    say(`  ${written.imageCount} images and their split CSVs in ${dataRoot}`);

    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      REDIS_URL: redis.url,
      AELAB_STORAGE: storage,
      AELAB_QUEUE_PREFIX: process.env.AELAB_QUEUE_PREFIX ?? 'aelab-demo',
      AELAB_DATA_ROOT: dataRoot,
      AELAB_BACKEND: process.env.AELAB_BACKEND ?? 'auto',
      PORT: String(port),
      HOST: '127.0.0.1',
    };
    processes.push(await ManagedProcess.start('api', entryNextTo(import.meta.url, '../api/main'), env, join(directory, 'logs/api.log')));
    processes.push(await ManagedProcess.start('worker', entryNextTo(import.meta.url, '../worker/main'), env, join(directory, 'logs/worker.log')));
    const client = new ApiClient(`http://127.0.0.1:${port}`, env.AELAB_API_TOKEN);
    await waitUntilReady(client, processes);
    say(`API on http://127.0.0.1:${port}, one worker; logs in ${join(directory, 'logs')}`);

    const finished: RunRecord[] = [];
    for (const seed of DEMO_SEEDS) finished.push(await trainAndEvaluate(client, seed, say));
    const ids = finished.map((run) => run.id);
    say('');
    say((await client.getText(`/api/v1/compare?runs=${ids.join(',')}&metric=auroc&format=markdown`)).trimEnd());
    say('');
    say(`  artifacts: ${join(storage, 'runs')}`);
    say(`Web UI: http://127.0.0.1:${port}/  (runs, curves, evaluations with anomaly maps)`);
    say(`  the two runs side by side: http://127.0.0.1:${port}/compare?runs=${ids.join(',')}`);
    say(`Dashboard (Bull Board): http://127.0.0.1:${port}/admin/queues`);
    say(`Demo took ${formatSeconds((Date.now() - started) / 1000)}.`);
    if (options.keep) {
      say('The API and dashboard stay up; press Ctrl-C to stop.');
      await new Promise<void>((resolveWait) => {
        process.once('SIGINT', resolveWait);
        process.once('SIGTERM', resolveWait);
      });
    }
  } finally {
    await cleanup();
  }
}

/** One demo run: trained through the queue, then evaluated by the worker on the phantom test set. */
async function trainAndEvaluate(client: ApiClient, seed: number, say: (line: string) => void): Promise<RunRecord> {
  const submitted = await client.post<RunRecord>('/api/v1/runs', { configPath: 'configs/demo/baseline.yaml', overrides: { seed } });
  say('');
  say(`Submitted run ${submitted.id} (${submitted.name}, seed ${seed}, ${submitted.totalEpochs} epochs). Training through the queue:`);
  const finished = await watchRun(client, submitted.id, { pollMs: 500 });
  const metrics = await client.get<{ epochs: Record<string, unknown>[] }>(`/api/v1/runs/${finished.id}/metrics`);
  say(`Run ${finished.id}: ${finished.status} after ${finished.epoch} epochs.`);
  const last = metrics.epochs.at(-1);
  if (last !== undefined) say(`  last epoch: ${describeMetrics({ ...last, epoch: Number(last.epoch) })}`);
  if (finished.best !== null) say(`  best ${finished.best.metric} = ${finished.best.value.toPrecision(5)} at epoch ${finished.best.epoch + 1}`);
  if (finished.error !== null) say(`  error: ${finished.error}`);
  if (finished.status !== 'completed') throw new CliError(`the demo run ended ${finished.status}; see the logs`);
  say('Evaluating its best checkpoint on the phantom test set (normal against opacity, nodule, effusion):');
  const evaluation = await watchEvaluation(client, `${finished.id}-auto`);
  if (evaluation.status !== 'completed') throw new CliError(`the evaluation of ${finished.id} ended ${evaluation.status}: ${evaluation.error ?? 'see the logs'}`);
  return finished;
}

async function waitUntilReady(client: ApiClient, processes: ManagedProcess[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const dead = processes.find((p) => !p.running);
    if (dead !== undefined) throw new CliError(`the ${dead.name} process exited during start-up; see ${dead.logFile}`);
    try {
      await client.get('/readyz');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 250));
  }
}
