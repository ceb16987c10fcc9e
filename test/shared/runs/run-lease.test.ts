import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunLease, RunLeaseLostError } from '../../../shared/runs/run-lease.ts';
import { LocalArtifactStore } from '../../../shared/storage/local-artifact-store.ts';
import { runTiny } from '../ml/training/helpers/tiny-run.ts';
import { useCpuBackend } from '../ml/training/helpers/tf-cpu.ts';

describe('RunLease', () => {
  let root: string;
  let store: LocalArtifactStore;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'aelab-lease-'));
    store = new LocalArtifactStore(root);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('the newest taker holds the run; an earlier holder is told who took it', async () => {
    const first = await RunLease.take(store, 'r1', { host: 'gpu-a', pid: 11 });
    await expect(first.assertHeld()).resolves.toBeUndefined();
    await RunLease.take(store, 'r1', { host: 'gpu-b', pid: 22 });
    await expect(first.assertHeld()).rejects.toThrow(RunLeaseLostError);
    await expect(first.assertHeld()).rejects.toThrow(/taken over by gpu-b pid 22/);
    // The training child holds it by token only.
    await expect(RunLease.held(store, 'r1', first.token).assertHeld()).rejects.toThrow(RunLeaseLostError);
  });

  it('a training loop whose lease is lost stops before writing its next metrics record or checkpoint', async () => {
    await useCpuBackend();
    const lease = await RunLease.take(store, 'fenced', { host: 'gpu-a', pid: 1 });
    let epochsDone = 0;
    const run = runTiny(store, 'fenced', { nrEpochs: 4 }, {
      beforeWrite: () => lease.assertHeld(),
      onEpochEnd: async () => {
        epochsDone += 1;
        if (epochsDone === 2) await RunLease.take(store, 'fenced', { host: 'gpu-b', pid: 2 });
      },
    });
    await expect(run).rejects.toThrow(RunLeaseLostError);
    const lines = (await store.readText('runs/fenced/metrics.jsonl')).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(await store.resolveAlias('runs/fenced/checkpoints/latest')).toBe('runs/fenced/checkpoints/latest-000002-000000');
  });
});
