import { readdir, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../shared/ml/backend/select-backend.ts';
import { loadCheckpoint } from '../../shared/ml/training/checkpoint.ts';
import { createWorkerConnection } from '../../shared/queue/redis-connection.ts';
import { LocalArtifactStore } from '../../shared/storage/local-artifact-store.ts';
import { runPaths } from '../../shared/storage/run-paths.ts';
import { AelabStack } from '../support/aelab-stack.ts';
import { epochsLogged, finished, range, runningWithEpochs, slowSyntheticRun, submitRun } from '../support/fault-runs.ts';
import { makeReadOnly } from '../support/read-only-folder.ts';

describe('storage that refuses writes, and checkpoints damaged on disk', () => {
  let stack: AelabStack;
  let store: LocalArtifactStore;

  beforeAll(async () => {
    await selectBackend('cpu');
    stack = await AelabStack.start({ label: 'faults-storage', workers: 1 });
    store = new LocalArtifactStore(stack.storage);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('a read-only checkpoint folder: the attempt fails naming the path, the last checkpoint stays readable, the job retries with backoff', { timeout: 300_000 }, async (context) => {
    const epochs = 8;
    const id = await submitRun(stack, slowSyntheticRun({ epochs, secondsPerEpoch: 1 }));
    await runningWithEpochs(stack, id, 2);
    const checkpoints = join(stack.storage, runPaths(id).checkpoints);
    const undo = await makeReadOnly(checkpoints);
    if (undo === null) {
      context.skip('this machine can make no folder read-only (root without the right to mount)');
      return;
    }
    let failedAt = 0;
    try {
      const failed = await stack.waitFor(async () => {
        const run = await stack.run(id);
        return run.error !== null ? run : null;
      }, 60_000, 'the attempt to fail on the read-only folder');
      failedAt = Date.now();
      console.log(`faults: read-only storage → run.json error: ${failed.error}`);
      expect(failed.status).toBe('queued');
      expect(failed.error).toContain(checkpoints);
      expect(failed.error).toMatch(/EROFS|EACCES|read-only|permission denied/i);

      const connection = createWorkerConnection(stack.env.REDIS_URL);
      const trainQueue = new Queue('train', { connection, prefix: stack.prefix });
      try {
        // run.json takes the error before BullMQ moves the failed attempt to the delayed set.
        const job = await stack.waitFor(async () => {
          const current = await trainQueue.getJob(id);
          return (await current?.getState()) === 'delayed' ? current ?? null : null;
        }, 10_000, 'the failed attempt to wait out its backoff');
        expect(job.attemptsMade).toBe(1);
      } finally {
        await trainQueue.close();
        connection.disconnect();
      }

      const latest = await loadCheckpoint(store, id, 'latest');
      expect(latest?.rejected).toEqual([]);
      expect(latest?.state.position.epoch).toBeGreaterThanOrEqual(2);
    } finally {
      await undo();
    }

    const retried = await stack.waitFor(async () => {
      const run = await stack.run(id);
      return run.attempts >= 2 ? run : null;
    }, 60_000, 'the retry');
    const backoffSeconds = (Date.now() - failedAt) / 1000;
    console.log(`faults: retried ${backoffSeconds.toFixed(1)} s after the failure, attempt ${retried.attempts}`);
    expect(backoffSeconds).toBeGreaterThanOrEqual(4);
    const run = await finished(stack, id);
    expect(run.status).toBe('completed');
    expect(await epochsLogged(stack, id)).toEqual(range(epochs));
  });

  it('a checkpoint truncated by hand: loading it fails clearly and the run continues from the previous one', { timeout: 300_000 }, async () => {
    const epochs = 8;
    const id = await submitRun(stack, slowSyntheticRun({ epochs, secondsPerEpoch: 1 }));
    await runningWithEpochs(stack, id, 3);
    // Stop the only worker: the job goes back to the queue and nothing writes meanwhile.
    const worker = stack.workers[0];
    const exited = new Promise((resolve) => worker.child.once('exit', resolve));
    worker.child.kill('SIGTERM');
    await exited;

    const latestFolder = await store.resolveAlias(runPaths(id).latest);
    expect(latestFolder).not.toBeNull();
    const versions = (await readdir(join(stack.storage, runPaths(id).checkpoints))).filter((name) => name.startsWith('latest-'));
    expect(versions.length, 'the last two latest checkpoints are kept').toBe(2);
    const weights = join(stack.storage, latestFolder!, 'weights.safetensors');
    await truncate(weights, Math.floor((await stat(weights)).size / 2));
    const previous = versions.sort()[0];

    const replacement = stack.addWorker();
    const resumed = await stack.waitFor(async () => {
      const run = await stack.run(id);
      return run.resumedFrom !== null && run.worker?.pid === replacement.child.pid ? run : null;
    }, 60_000, 'the run to resume on the new worker');
    const [, epoch, batch] = /^latest-(\d+)-(\d+)$/.exec(previous)!.map(Number);
    expect(resumed.resumedFrom).toEqual({ epoch, batch });
    await stack.waitFor(async () => (/falling back to the previous checkpoint/.test(replacement.output()) ? true : null), 10_000, 'the warning');
    const warning = replacement.output().split('\n').find((line) => line.includes('falling back'));
    console.log(`faults: truncated checkpoint → ${warning}`);
    expect(warning).toContain(latestFolder!.split('/').at(-1));
    // A JSON log line that says which run, job and worker it is about.
    expect(JSON.parse(warning!)).toMatchObject({ level: 'warn', runId: id, jobId: id, worker: expect.stringMatching(/:\d+$/) });

    const run = await finished(stack, id);
    expect(run.status).toBe('completed');
    expect(await epochsLogged(stack, id)).toEqual(range(epochs));
  });
});
