import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pingRedis } from './redis-connection.ts';

/** A Redis to use: the one that answered, or a private one started here. */
export interface AvailableRedis {
  url: string;
  /** True when this process started it (and `stop` ends it). */
  started: boolean;
  stop(): Promise<void>;
}

export class RedisUnavailableError extends Error {
  constructor(url: string) {
    super(
      `No Redis answers at ${url} and redis-server is not installed: install it (Debian/Ubuntu: "sudo apt-get install redis-server", macOS: "brew install redis") or set REDIS_URL to a running Redis.`,
    );
    this.name = 'RedisUnavailableError';
  }
}

/**
 * Uses the Redis at `url` when it answers; otherwise starts `redis-server` on a free
 * port in a temporary directory, with persistence off (it lives as long as we do).
 */
export async function findOrStartRedis(url: string): Promise<AvailableRedis> {
  if (await pingRedis(url)) return { url, started: false, stop: async () => undefined };
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) throw new RedisUnavailableError(url);

  const port = await freePort();
  const directory = await mkdtemp(join(tmpdir(), 'aelab-redis-'));
  const server: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', directory, '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'],
    { stdio: 'ignore' },
  );
  const privateUrl = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await pingRedis(privateUrl, 500))) {
    if (server.exitCode !== null || Date.now() > deadline) {
      server.kill('SIGKILL');
      throw new Error(`redis-server did not start on port ${port} (exit code ${server.exitCode ?? 'none'})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: privateUrl,
    started: true,
    stop: () => stopRedisServer(server, directory),
  };
}

/** Stops a redis-server this process started (SIGTERM, waiting for it) and removes its folder. */
export async function stopRedisServer(server: ChildProcess, directory: string): Promise<void> {
  if (server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  await rm(directory, { recursive: true, force: true });
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
