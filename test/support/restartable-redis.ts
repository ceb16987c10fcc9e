import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../shared/queue/local-redis.ts';
import { pingRedis } from '../../shared/queue/redis-connection.ts';

/**
 * A redis-server of a test's own that can be killed and started again on the same port
 * and data folder. Its AOF is fsynced on every write, as a deployment's Redis keeps its
 * queues across a restart (infra/redis/redis.conf), so a restart loses nothing.
 */
/** Why a test that restarts Redis cannot run here, or null when redis-server is installed. */
export function restartableRedisMissing(): string | null {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0 ? null : 'redis-server is not installed (the test starts, kills and restarts its own)';
}

export class RestartableRedis {
  private server: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    readonly directory: string,
  ) {}

  static async start(): Promise<RestartableRedis> {
    const redis = new RestartableRedis(await freePort(), await mkdtemp(join(tmpdir(), 'aelab-restartable-redis-')));
    await redis.startServer();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.server !== null && this.server.exitCode === null && this.server.signalCode === null;
  }

  /** Kills the server at once (SIGKILL), as a crash or a rebooted machine would. */
  async kill(): Promise<void> {
    const server = this.server;
    if (server === null || !this.running) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGKILL');
    await exited;
  }

  /** Starts the server again on the same port and folder; resolves once it answers. */
  async restart(): Promise<void> {
    if (!this.running) await this.startServer();
  }

  /** Kills the server and starts an empty one on the same port: a Redis whose data (AOF) was lost, or a failover to an empty replica. */
  async replaceWithEmpty(): Promise<void> {
    await this.kill();
    await rm(this.directory, { recursive: true, force: true });
    await mkdir(this.directory);
    await this.startServer();
  }

  async stop(): Promise<void> {
    await this.kill();
    await rm(this.directory, { recursive: true, force: true });
  }

  private async startServer(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.directory, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction'];
    this.server = spawn('redis-server', args, { stdio: 'ignore' });
    const deadline = Date.now() + 15_000;
    while (!(await pingRedis(this.url, 200))) {
      if (!this.running || Date.now() > deadline) throw new Error(`redis-server did not start on port ${this.port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
