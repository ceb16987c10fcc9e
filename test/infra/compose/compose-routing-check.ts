/**
 * Runs docker-compose.yml (made local by localComposeFile: no registry, no GPU here) and
 * checks that a CXR config with `requires: [gpu]` is never taken by a CPU worker: gpu runs
 * are submitted first, while both CPU workers are idle, then plain ones; each gpu run and
 * its automatic evaluation must run on the worker-gpu container, and no CPU worker's log
 * may name a gpu run. Needs dockerd and docker-compose (v1 or v2):
 *   npx tsx test/infra/compose/compose-routing-check.ts
 * Prints a Markdown report; exits 1 when a check fails.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, uptime } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { dump, load } from 'js-yaml';
import type { RunRecord } from '../../../shared/contracts/run-record.ts';
import { writeCxrLayoutDataset } from './cxr-layout-dataset.ts';
import { automaticEvaluationId, evaluationHolder } from './evaluation-holder.ts';
import { type ComposeFile, dockerfileCommand, localComposeFile } from './local-compose-file.ts';
import { TINY_CXR_SIZE, tinyCxrSubmission } from './tiny-cxr-submission.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const PROJECT = 'aelab-routing-check';
const IMAGE = 'aelab-host-runtime:local';
const API_PORT = Number(process.env.AELAB_CHECK_PORT ?? 18080);
const GPU_RUNS = 3;
const PLAIN_RUNS = 3;

type RunView = RunRecord & { waitingFor: string | null };

async function sh(command: string, args: string[]): Promise<string> {
  const { stdout } = await run(command, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${API_PORT}${path}`, {
    method,
    signal: AbortSignal.timeout(30_000),
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const parsed = (await response.json()) as T;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** An empty image: the containers run the host's node and redis-server, mounted from /usr. */
async function ensureRuntimeImage(work: string): Promise<void> {
  const present = await sh('docker', ['images', '-q', IMAGE]);
  if (present.trim() !== '') return;
  const empty = join(work, 'empty.tar');
  await sh('tar', ['-cf', empty, '-T', '/dev/null']);
  await sh('docker', ['import', empty, IMAGE]);
}

async function writeLocalCompose(work: string, storageDir: string): Promise<string> {
  const compose = load(await readFile(join(ROOT, 'docker-compose.yml'), 'utf8')) as ComposeFile;
  const dockerfileCommands: Record<string, string[]> = {};
  for (const [name, service] of Object.entries(compose.services)) {
    const build = service.build as { dockerfile?: string } | undefined;
    if (build?.dockerfile !== undefined) dockerfileCommands[name] = dockerfileCommand(await readFile(join(ROOT, build.dockerfile), 'utf8'));
  }
  const file = join(work, 'docker-compose.local.yml');
  await writeFile(file, dump(localComposeFile(compose, { repoRoot: ROOT, storageDir, apiPort: API_PORT, image: IMAGE, dockerfileCommands })));
  return file;
}

/** Container hostname (the short id a worker records as its host) → compose service. */
async function containersByHost(): Promise<Map<string, string>> {
  const lines = await sh('docker', ['ps', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--format', '{{.ID}} {{.Label "com.docker.compose.service"}}']);
  return new Map(lines.trim().split('\n').map((line) => line.split(' ') as [string, string]));
}

async function check(storageDir: string): Promise<string[]> {
  const failures: string[] = [];
  await writeCxrLayoutDataset(join(storageDir, 'data'), TINY_CXR_SIZE);
  console.error('dataset written; waiting for the API');
  await until('the API', 120_000, async () => ((await fetch(`http://127.0.0.1:${API_PORT}/healthz`, { signal: AbortSignal.timeout(5000) })).ok ? true : null));
  const gpuRuns: RunView[] = [];
  for (let i = 0; i < GPU_RUNS; i += 1) gpuRuns.push(await api<RunView>('POST', '/api/v1/runs', tinyCxrSubmission(true)));
  const plainRuns: RunView[] = [];
  for (let i = 0; i < PLAIN_RUNS; i += 1) plainRuns.push(await api<RunView>('POST', '/api/v1/runs', tinyCxrSubmission(false)));
  console.error(`submitted ${gpuRuns.length} gpu and ${plainRuns.length} plain runs`);
  const finished = new Map<string, RunView>();
  for (const submitted of [...gpuRuns, ...plainRuns]) {
    finished.set(submitted.id, await until(`run ${submitted.id}`, 600_000, async () => {
      const view = await api<RunView>('GET', `/api/v1/runs/${submitted.id}`);
      return view.status === 'completed' || view.status === 'failed' ? view : null;
    }));
  }
  const hosts = await containersByHost();
  const serviceOf = (view: RunView) => hosts.get(view.worker?.host ?? '') ?? `unknown host ${view.worker?.host}`;
  console.log('| run | requires | status | taken by | evaluation |\n|---|---|---|---|---|');
  for (const view of finished.values()) {
    const evalId = automaticEvaluationId(view.id);
    const evaluation = await until(`the evaluation of ${view.id}`, 300_000, async () => {
      const record = await api<{ status: string }>('GET', `/api/v1/evaluations/${evalId}`);
      return record.status === 'completed' || record.status === 'failed' ? record : null;
    });
    // AELAB_STORAGE is /srv/aelab/storage in the containers, where storageDir is /srv/aelab.
    const evaluatedBy = hosts.get((await evaluationHolder(join(storageDir, 'storage'), view.id, evalId)).host) ?? 'an unknown host';
    console.log(`| ${view.id} | ${view.requires.join(',') || '–'} | ${view.status} | ${serviceOf(view)} | ${evaluation.status} on ${evaluatedBy} |`);
    if (view.status !== 'completed' || evaluation.status !== 'completed') failures.push(`${view.id} ${view.status} (${view.error}), its evaluation ${evaluation.status}`);
    if (view.requires.includes('gpu') && serviceOf(view) !== 'worker-gpu') failures.push(`${view.id} requires gpu but ran on ${serviceOf(view)}`);
    if (view.requires.includes('gpu') && evaluatedBy !== 'worker-gpu') failures.push(`the evaluation of gpu run ${view.id} ran on ${evaluatedBy}`);
  }
  for (const [host, service] of hosts) {
    if (service !== 'worker-cpu') continue;
    const log = await containerLog(host);
    for (const view of gpuRuns) if (log.includes(view.id)) failures.push(`CPU worker ${host}'s log names gpu run ${view.id}`);
  }
  return failures;
}

async function containerLog(host: string): Promise<string> {
  const { stdout, stderr } = await run('docker', ['logs', host], { maxBuffer: 64 * 1024 * 1024 });
  return `${stdout}${stderr}`;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'aelab-compose-check-'));
  const storageDir = join(work, 'storage');
  await ensureRuntimeImage(work);
  // The images run the compiled build (their Dockerfiles' CMD); the mounted checkout needs it.
  await sh('node', [join(ROOT, 'bin/build-js.mjs')]);
  const file = await writeLocalCompose(work, storageDir);
  const compose = (...args: string[]) => sh('docker-compose', ['--compatibility', '-p', PROJECT, '-f', file, ...args]);
  let failures: string[] = [];
  // A request the docker proxy holds open refs no handle; this keeps the process waiting for it.
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    await compose('up', '-d');
    console.log(`# compose routing check (${new Date().toISOString()}, load average ${(await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ')}, up ${Math.round(uptime())} s)\n`);
    console.log(`services: ${[...new Set((await containersByHost()).values())].sort().join(', ')}\n`);
    failures = await check(storageDir);
  } catch (error) {
    failures.push(error instanceof Error ? error.message : String(error));
  } finally {
    await compose('down', '-v', '--timeout', '150').catch((error: unknown) => console.error(`compose down: ${String(error)}`));
    await rm(work, { recursive: true, force: true }).catch(() => undefined);
    clearInterval(keepAlive);
  }
  console.log(failures.length === 0 ? '\nall checks hold' : `\nFAILED:\n${failures.map((f) => `- ${f}`).join('\n')}`);
  process.exitCode = failures.length === 0 ? 0 : 1;
}

await main();
