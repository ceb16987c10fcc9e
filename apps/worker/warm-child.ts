import { fork, type ChildProcess } from 'node:child_process';
import type { Logger } from '../../shared/observability/logger.ts';
import { nodeOptionsFor } from '../../shared/process/node-entry.ts';
import type { ChildHealth } from './tf-state-guard.ts';

/** Resident memory above which a child is replaced after its job; AELAB_CHILD_MAX_RSS_MB overrides it. */
const DEFAULT_MAX_RSS_MB = 4096;

/** The memory limit of a warm child, from AELAB_CHILD_MAX_RSS_MB. */
export function childMaxRssMb(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.AELAB_CHILD_MAX_RSS_MB;
  if (text === undefined || text.trim() === '') return DEFAULT_MAX_RSS_MB;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`AELAB_CHILD_MAX_RSS_MB must be a positive number of MiB, got "${text}"`);
  return value;
}

/**
 * Why a child may not take another job after one that ended with `health`, or null when it
 * may. A failed job (health null) always retires its child: whatever went wrong stays in it.
 */
export function retirementReason(health: ChildHealth | null, maxRssMb: number): string | null {
  if (health === null) return 'its job failed';
  if (health.tensorsAfter > health.tensorsBefore) return `its job leaked ${health.tensorsAfter - health.tensorsBefore} tensor(s)`;
  if (health.rssMb > maxRssMb) return `it holds ${health.rssMb} MiB, over AELAB_CHILD_MAX_RSS_MB=${maxRssMb}`;
  return health.stateChanged;
}

/**
 * A child process kept warm between jobs: forked once, handed job after job over its IPC
 * channel, and replaced by a fresh one when it crashes, is killed, or `retire` says so.
 * Reuse spares each job the process start (Node, TypeScript loader, TF.js import), which
 * dominated short jobs such as sweep trials.
 */
export class WarmChild<Start, Message extends { type: string }> {
  private current: ChildProcess | null = null;

  constructor(
    private readonly entry: string,
    private readonly log: Logger,
  ) {}

  /** The pid of the child that takes the next job, for logs; undefined before the first fork. */
  get pid(): number | undefined {
    return this.current?.pid;
  }

  /** Forks the child now, so that the first job does not wait for its start-up. */
  prepare(): void {
    this.live();
  }

  /**
   * Runs one job: sends `start`, passes every message to `onMessage`, and resolves with the
   * first message `isFinal` accepts; rejects when the child exits before sending one.
   */
  async run(start: Start, onMessage: (message: Message) => void, isFinal: (message: Message) => boolean): Promise<Message> {
    const child = await this.answering();
    return new Promise<Message>((resolve, reject) => {
      const detach = () => {
        child.off('message', listen);
        child.off('exit', exited);
        child.off('error', failed);
      };
      const listen = (message: Message) => {
        onMessage(message);
        if (!isFinal(message)) return;
        detach();
        resolve(message);
      };
      const exited = (code: number | null, signal: NodeJS.Signals | null) => {
        detach();
        reject(new Error(`process exited (code ${code ?? 'none'}, signal ${signal ?? 'none'}) before reporting a result`));
      };
      const failed = (error: Error) => {
        detach();
        reject(error);
      };
      child.on('message', listen);
      child.on('exit', exited);
      child.on('error', failed);
      child.send(start as object);
    });
  }

  /** Sends a message to the running job's child, when it is still there. */
  send(message: object): void {
    if (this.current?.connected) this.current.send(message);
  }

  /** Ends the job's child at once (the job was lost or taken over); the next job gets a fresh one. */
  kill(): void {
    this.retire('its job was abandoned');
  }

  /** After a job: keeps the child for the next one, or replaces it and says why. */
  release(health: ChildHealth | null, maxRssMb: number): void {
    const reason = retirementReason(health, maxRssMb);
    if (reason === null) return;
    this.retire(reason);
    this.prepare();
  }

  /** Stops the child for good (the worker is shutting down). */
  close(): void {
    this.retire('the worker is shutting down');
  }

  private retire(reason: string): void {
    const child = this.current;
    this.current = null;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    this.log.info('replacing the child process', { childPid: child.pid, reason });
    child.kill('SIGKILL');
  }

  /**
   * The child for the next job, once it answered a ping: one killed between jobs may not
   * have had its exit noticed yet, and a job sent to it would fail as a crash.
   */
  private async answering(): Promise<ChildProcess> {
    const child = this.live();
    if (await answersPing(child)) return child;
    this.retire('it did not answer before its next job');
    return this.live();
  }

  /** The child, forked again when the last one is gone (crashed, killed between jobs). */
  private live(): ChildProcess {
    const child = this.current;
    if (child !== null && child.connected && child.exitCode === null && child.signalCode === null) return child;
    const fresh = fork(this.entry, [], {
      execArgv: nodeOptionsFor(this.entry),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: process.env,
    });
    fresh.on('error', (error) => this.log.warn('child process error', { childPid: fresh.pid, error: error.message }));
    // An idle child that dies is noticed here; the next job forks a new one.
    fresh.once('exit', (code, signal) => {
      if (this.current === fresh) this.current = null;
      if (code !== 0 || signal !== null) this.log.info('child process exited', { childPid: fresh.pid, code, signal });
    });
    this.current = fresh;
    return fresh;
  }
}

/** Whether the child answers `{type: 'ping'}` with `{type: 'pong'}` before it exits. */
function answersPing(child: ChildProcess): Promise<boolean> {
  return new Promise((resolve) => {
    const settle = (answered: boolean) => {
      child.off('message', pong);
      child.off('exit', gone);
      resolve(answered);
    };
    const pong = (message: { type?: unknown }) => {
      if (message?.type === 'pong') settle(true);
    };
    const gone = () => settle(false);
    child.on('message', pong);
    child.on('exit', gone);
    if (!child.connected) return settle(false);
    child.send({ type: 'ping' }, (error) => {
      if (error) settle(false);
    });
  });
}
