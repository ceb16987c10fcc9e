import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChildMessage, SupervisorMessage, TrainOutcome } from '../../../apps/worker/train-child-messages.ts';
import type { ChildHealth } from '../../../apps/worker/tf-state-guard.ts';
import { retirementReason, WarmChild } from '../../../apps/worker/warm-child.ts';
import { applyOverrides } from '../../../shared/config/overrides.ts';
import { createLogger } from '../../../shared/observability/logger.ts';
import { runPaths } from '../../../shared/storage/run-paths.ts';
import { StorageLease } from '../../../shared/storage/storage-lease.ts';
import type { LocalArtifactStore } from '../../../shared/storage/local-artifact-store.ts';
import { tempStore } from '../../shared/ml/training/helpers/temp-store.ts';
import { metricsWithoutTimes } from '../../shared/ml/training/helpers/tiny-run.ts';
import type { BallastStart } from './fixtures/ballast-child.ts';

const ROOT = join(import.meta.dirname, '../../..');
const TRAIN_CHILD = join(ROOT, 'apps/worker/train-child.ts');
const COMPILED_TRAIN_CHILD = join(ROOT, 'build/js/apps/worker/train-child.js');
const BALLAST_CHILD = join(import.meta.dirname, 'fixtures/ballast-child.ts');
const logger = createLogger('test', {});

type BallastDone = { type: 'done'; pid: number; health: ChildHealth };

let store: LocalArtifactStore;
let root: string;
let cleanup: () => Promise<void>;
const opened: { close(): void }[] = [];
beforeEach(async () => ({ store, root, cleanup } = await tempStore()));
afterEach(async () => {
  for (const child of opened.splice(0)) child.close();
  await cleanup();
});

function warm<Start, Message extends { type: string }>(entry: string): WarmChild<Start, Message> {
  const child = new WarmChild<Start, Message>(entry, logger);
  opened.push(child);
  return child;
}

/** A smoke config of the repository, one short epoch on few phantoms, as a train job carries it. */
async function smokeConfig(file: string): Promise<Record<string, unknown>> {
  const raw = load(await readFile(join(ROOT, 'configs/smoke', file), 'utf8')) as Record<string, unknown>;
  return applyOverrides(raw, { 'trainer.params.nr_epochs': 1, 'trainer.data_loader.params.args.train_count': 8, 'trainer.data_loader.params.args.val_count': 4 }, file);
}

async function train(child: WarmChild<SupervisorMessage, ChildMessage>, runId: string, config: Record<string, unknown>): Promise<TrainOutcome> {
  const lease = await StorageLease.take(store, runPaths(runId).lease, { host: hostname(), pid: process.pid });
  const outcome = await child.run({ type: 'start', runId, config, storage: root, leaseToken: lease.token }, () => undefined, (m) => m.type === 'done' || m.type === 'failed');
  return outcome as TrainOutcome;
}

const weights = (runId: string) => readFile(join(root, `runs/${runId}/checkpoints/latest/weights.safetensors`));

describe('WarmChild: one training child, job after job', () => {
  it('trains two different models back to back in one child exactly as fresh children do, bit for bit', async () => {
    process.env.AELAB_BACKEND = 'cpu';
    const [aeS, vae] = await Promise.all([smokeConfig('ae-s.yaml'), smokeConfig('vae.yaml')]);
    const reused = warm<SupervisorMessage, ChildMessage>(TRAIN_CHILD);
    const first = await train(reused, 'reused-ae-s', aeS);
    const pid = reused.pid;
    const second = await train(reused, 'reused-vae', vae);
    expect(reused.pid).toBe(pid);
    expect([first.type, second.type]).toEqual(['done', 'done']);
    if (second.type === 'done') expect(retirementReason(second.health, 4096)).toBeNull();

    await train(warm<SupervisorMessage, ChildMessage>(TRAIN_CHILD), 'fresh-ae-s', aeS);
    await train(warm<SupervisorMessage, ChildMessage>(TRAIN_CHILD), 'fresh-vae', vae);
    for (const [a, b] of [['reused-ae-s', 'fresh-ae-s'], ['reused-vae', 'fresh-vae']]) {
      expect((await weights(a)).equals(await weights(b)), `${a} vs ${b}`).toBe(true);
      expect(await metricsWithoutTimes(store, a)).toEqual(await metricsWithoutTimes(store, b));
    }
  }, 240_000);
});

describe('the compiled build (npm run build)', () => {
  it('trains in a JavaScript child started without a TypeScript loader exactly as in the TypeScript one', async () => {
    expect(spawnSync(process.execPath, [join(ROOT, 'bin/build-js.mjs'), '--if-stale'], { stdio: 'inherit' }).status).toBe(0);
    process.env.AELAB_BACKEND = 'cpu';
    const config = await smokeConfig('ae-s.yaml');
    await train(warm<SupervisorMessage, ChildMessage>(COMPILED_TRAIN_CHILD), 'compiled', config);
    await train(warm<SupervisorMessage, ChildMessage>(TRAIN_CHILD), 'typescript', config);
    expect((await weights('compiled')).equals(await weights('typescript'))).toBe(true);
    expect(await metricsWithoutTimes(store, 'compiled')).toEqual(await metricsWithoutTimes(store, 'typescript'));
  }, 240_000);
});

describe('WarmChild: replaced whenever a job leaves it unfit', () => {
  const runBallast = (child: WarmChild<BallastStart, BallastDone>, leakTensors: number, keepMb: number) =>
    child.run({ type: 'start', leakTensors, keepMb }, () => undefined, () => true);

  it('keeps a child whose job freed everything, and replaces one whose job leaked tensors', async () => {
    const child = warm<BallastStart, BallastDone>(BALLAST_CHILD);
    const clean = await runBallast(child, 0, 0);
    child.release(clean.health, 4096);
    const leaky = await runBallast(child, 3, 0);
    expect(leaky.pid).toBe(clean.pid);
    expect(retirementReason(leaky.health, 4096)).toBe('its job leaked 3 tensor(s)');
    child.release(leaky.health, 4096);
    const next = await runBallast(child, 0, 0);
    expect(next.pid).not.toBe(leaky.pid);
    expect(next.health.tensorsAfter).toBe(next.health.tensorsBefore);
  }, 60_000);

  it('replaces a child that holds more memory than AELAB_CHILD_MAX_RSS_MB after its job', async () => {
    const child = warm<BallastStart, BallastDone>(BALLAST_CHILD);
    const small = await runBallast(child, 0, 0);
    const limit = small.health.rssMb + 100;
    child.release(small.health, limit);
    const big = await runBallast(child, 0, 200);
    expect(big.pid).toBe(small.pid);
    expect(big.health.rssMb).toBeGreaterThan(limit);
    child.release(big.health, limit);
    expect((await runBallast(child, 0, 0)).pid).not.toBe(big.pid);
  }, 60_000);

  it('forks a new child when the idle one was killed between jobs, and the next job completes', async () => {
    const child = warm<BallastStart, BallastDone>(BALLAST_CHILD);
    const before = await runBallast(child, 0, 0);
    child.release(before.health, 4096);
    process.kill(before.pid, 'SIGKILL');
    await vi.waitFor(() => expect(child.pid).toBeUndefined());
    const after = await runBallast(child, 0, 0);
    expect(after.pid).not.toBe(before.pid);
    expect(after.type).toBe('done');
  }, 60_000);

  it('fails the job, not the worker, when its child dies mid-job', async () => {
    const child = warm<BallastStart, BallastDone>(BALLAST_CHILD);
    // The child is killed while the job is still in its hands (its report is not taken as final).
    const job = child.run({ type: 'start', leakTensors: 0, keepMb: 0 }, (message) => process.kill(message.pid, 'SIGKILL'), () => false);
    await expect(job).rejects.toThrow(/process exited \(code none, signal SIGKILL\) before reporting a result/);
  }, 60_000);
});
