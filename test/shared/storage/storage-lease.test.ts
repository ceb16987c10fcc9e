import { describe, expect, it } from 'vitest';
import { runPaths } from '../../../shared/storage/run-paths.ts';
import { LeaseLostError, StorageLease } from '../../../shared/storage/storage-lease.ts';
import { FencedArtifactStore } from '../../../shared/storage/fenced-artifact-store.ts';
import type { LocalArtifactStore } from '../../../shared/storage/local-artifact-store.ts';
import { useTempStore } from '../ml/training/helpers/temp-store.ts';
import { runTiny } from '../ml/training/helpers/tiny-run.ts';
import { useCpuBackend } from '../ml/training/helpers/tf-cpu.ts';

describe('StorageLease of a run', () => {
  let store: LocalArtifactStore;
  useTempStore((fresh) => (store = fresh.store));

  it('the newest taker holds the run; an earlier holder is told who took it', async () => {
    const first = await StorageLease.take(store, runPaths('r1').lease, { host: 'gpu-a', pid: 11 });
    await expect(first.assertHeld()).resolves.toBeUndefined();
    await StorageLease.take(store, runPaths('r1').lease, { host: 'gpu-b', pid: 22 });
    await expect(first.assertHeld()).rejects.toThrow(LeaseLostError);
    await expect(first.assertHeld()).rejects.toThrow(/taken over by gpu-b pid 22/);
    // The training child holds it by token only.
    await expect(StorageLease.held(store, runPaths('r1').lease, first.token).assertHeld()).rejects.toThrow(LeaseLostError);
  });

  it('a training loop whose lease is lost stops before writing its next metrics record or checkpoint', async () => {
    await useCpuBackend();
    const lease = await StorageLease.take(store, runPaths('fenced').lease, { host: 'gpu-a', pid: 1 });
    let epochsDone = 0;
    const run = runTiny(store, 'fenced', { nrEpochs: 4 }, {
      beforeWrite: () => lease.assertHeld(),
      onEpochEnd: async () => {
        epochsDone += 1;
        if (epochsDone === 2) await StorageLease.take(store, runPaths('fenced').lease, { host: 'gpu-b', pid: 2 });
      },
    });
    await expect(run).rejects.toThrow(LeaseLostError);
    const lines = (await store.readText('runs/fenced/metrics.jsonl')).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(await store.resolveAlias('runs/fenced/checkpoints/latest')).toBe('runs/fenced/checkpoints/latest-000002-000000');
  });

  it('a store fenced by an evaluation or sweep lease refuses every change once another worker takes it, and still reads', async () => {
    const subject = { name: 'sweep s1', key: 'sweeps/s1/lease.json' };
    const lease = await StorageLease.take(store, subject, { host: 'gpu-a', pid: 1 });
    const fenced = new FencedArtifactStore(store, lease);
    await fenced.appendLine('sweeps/s1/trials.jsonl', '{"type":"proposed"}');
    await StorageLease.take(store, subject, { host: 'gpu-b', pid: 2 });
    await expect(fenced.appendLine('sweeps/s1/trials.jsonl', '{"type":"reported"}')).rejects.toThrow(/sweep s1 was taken over by gpu-b pid 2/);
    await expect(fenced.write('sweeps/s1/sweep.json', '{}')).rejects.toThrow(LeaseLostError);
    await expect(fenced.remove('sweeps/s1/trials.jsonl')).rejects.toThrow(LeaseLostError);
    expect(await fenced.readText('sweeps/s1/trials.jsonl')).toBe('{"type":"proposed"}\n');
    expect(await store.exists('sweeps/s1/sweep.json')).toBe(false);
  });
});
