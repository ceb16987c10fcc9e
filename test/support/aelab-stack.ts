import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunRecord } from '../../shared/contracts/run-record.ts';
import { freePort } from '../../shared/queue/local-redis.ts';
import { deleteStackKeys } from './delete-stack-keys.ts';
import { testRedis, uniquePrefix } from './test-redis.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface StackOptions {
  label: string;
  workers: number;
  apiToken?: string;
  /** A Redis the test runs itself (e.g. with TLS); default: testRedis(). */
  redisUrl?: string;
  /** Extra environment for every process. */
  env?: Record<string, string>;
  /** Run the compiled JavaScript of `npm run build` (as the images do) instead of the TypeScript through tsx. */
  compiled?: boolean;
}

/** A running process of the stack with its collected output (for failure messages). */
export interface StackProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
}

/**
 * The API and N workers as real processes on the real Redis, with a private queue
 * prefix and a temporary storage folder: what `npm run api` / `npm run worker` start.
 */
export class AelabStack {
  readonly workers: StackProcess[] = [];
  api!: StackProcess;
  baseUrl = '';
  storage = '';
  prefix = '';
  /** The environment every process of the stack gets (REDIS_URL, AELAB_STORAGE, the prefix…). */
  env: NodeJS.ProcessEnv = {};
  private compiled = false;
  private stopRedis: () => Promise<void> = async () => undefined;

  static async start(options: StackOptions): Promise<AelabStack> {
    const stack = new AelabStack();
    stack.compiled = options.compiled ?? false;
    if (stack.compiled) await buildIfStale();
    const redis = options.redisUrl === undefined ? await testRedis() : { url: options.redisUrl, stop: async () => undefined };
    stack.stopRedis = redis.stop;
    stack.storage = await mkdtemp(join(tmpdir(), `aelab-${options.label}-`));
    stack.prefix = uniquePrefix(options.label);
    const port = await freePort();
    stack.baseUrl = `http://127.0.0.1:${port}`;
    stack.env = {
      ...process.env,
      REDIS_URL: redis.url,
      AELAB_STORAGE: stack.storage,
      AELAB_QUEUE_PREFIX: stack.prefix,
      AELAB_BACKEND: 'cpu',
      PORT: String(port),
      HOST: '127.0.0.1',
      ...(options.apiToken ? { AELAB_API_TOKEN: options.apiToken } : {}),
      ...options.env,
    };
    stack.api = stack.spawn('apps/api/main.ts');
    for (let i = 0; i < options.workers; i += 1) stack.workers.push(stack.spawn('apps/worker/main.ts'));
    try {
      await stack.waitFor(async () => (await fetch(`${stack.baseUrl}/healthz`).then((r) => r.ok, () => false)) || null, 120_000, 'API start');
    } catch (error) {
      // Nobody else holds the stack yet: its processes would outlive the test.
      await stack.stop();
      throw error;
    }
    return stack;
  }

  spawn(entry: string, env: Record<string, string> = {}): StackProcess {
    const args = this.compiled ? [join(ROOT, 'build/js', entry.replace(/\.ts$/, '.js'))] : ['--import', 'tsx', join(ROOT, entry)];
    const child = spawn(process.execPath, args, { env: { ...this.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    return { child, output: () => output };
  }

  /** One more worker process; `env` is added to the stack's (e.g. `AELAB_WORKER_LABELS`). */
  addWorker(env: Record<string, string> = {}): StackProcess {
    const worker = this.spawn('apps/worker/main.ts', env);
    this.workers.push(worker);
    return worker;
  }

  /** Kills the API process (SIGKILL) and starts a new one on the same port; resolves once it answers. */
  async restartApi(): Promise<void> {
    const old = this.api.child;
    if (old.exitCode === null && old.signalCode === null) {
      const exited = new Promise((resolve) => old.once('exit', resolve));
      old.kill('SIGKILL');
      await exited;
    }
    this.api = this.spawn('apps/api/main.ts');
    await this.waitFor(async () => (await fetch(`${this.baseUrl}/healthz`).then((r) => r.ok, () => false)) || null, 60_000, 'API restart');
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: (text.length > 0 ? JSON.parse(text) : null) as T };
  }

  async run(id: string, token?: string): Promise<RunRecord> {
    const { status, body } = await this.request<RunRecord>('GET', `/api/v1/runs/${id}`, undefined, token);
    if (status !== 200) throw new Error(`GET run ${id} → ${status}`);
    return body;
  }

  /** Polls until `check` returns a non-null value, or fails naming what it waited for. */
  async waitFor<T>(check: () => Promise<T | null>, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check().catch(() => null);
      if (value !== null) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n--- api ---\n${this.api.output()}\n${this.workers.map((w, i) => `--- worker ${i} ---\n${w.output()}`).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async stop(): Promise<void> {
    const all = [this.api, ...this.workers].filter((p) => p !== undefined);
    await Promise.all(all.map((p) => stopProcess(p.child)));
    await deleteStackKeys(this.env.REDIS_URL ?? '', this.prefix, this.env);
    await this.stopRedis();
    await rm(this.storage, { recursive: true, force: true });
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

function buildIfStale(): Promise<void> {
  return new Promise((resolve, reject) => {
    const build = spawn(process.execPath, [join(ROOT, 'bin/build-js.mjs'), '--if-stale'], { stdio: 'inherit' });
    build.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`bin/build-js.mjs exited with code ${code ?? 'none'}`))));
  });
}
