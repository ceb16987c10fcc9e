import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunRepository } from '../../../shared/runs/run-repository.ts';
import { LocalArtifactStore } from '../../../shared/storage/local-artifact-store.ts';

describe('RunRepository.metrics', () => {
  let root: string;
  let store: LocalArtifactStore;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'aelab-run-metrics-'));
    store = new LocalArtifactStore(root);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('skips a torn last line (a worker killed mid-append) instead of failing the request', async () => {
    await store.write('runs/r1/metrics.jsonl', '{"epoch":0,"val":{"loss":0.5}}\n{"epoch":1,"val":{"loss":0.4}}\n{"epoch":2,"va');
    expect(await new RunRepository(store).metrics('r1')).toEqual([
      { epoch: 0, val: { loss: 0.5 } },
      { epoch: 1, val: { loss: 0.4 } },
    ]);
  });

  it('is empty for a run that has finished no epoch', async () => {
    expect(await new RunRepository(store).metrics('never-trained')).toEqual([]);
  });
});
