import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunRecord, RunStatus } from '../../../shared/contracts/run-record.ts';
import { RUN_CHANGES_KEY } from '../../../shared/runs/run-change-journal.ts';
import { RunIndex, type RunQuery } from '../../../shared/runs/run-index.ts';
import { RunRepository } from '../../../shared/runs/run-repository.ts';
import { LocalArtifactStore } from '../../../shared/storage/local-artifact-store.ts';

function record(id: string, patch: Partial<RunRecord>): RunRecord {
  return {
    id, name: id, status: 'completed', createdAt: '2026-01-01T00:00:00.000Z', startedAt: null, finishedAt: null, epoch: 0, totalEpochs: 5,
    model: 'conv_autoencoder', latestMetrics: null, best: null, worker: null, versions: { aelab: 't', node: 't', tfjs: null }, configHash: 'x',
    attempts: 0, resumedFrom: null, error: null, stoppedEarly: false, submittedBy: 'anonymous', requires: [], priority: 'normal', ...patch,
  };
}

describe('RunIndex: every run in memory, filtered, sorted and paged', () => {
  let folder: string;
  let runs: RunRepository;
  let index: RunIndex;
  const query = (patch: Partial<RunQuery>) => index.query({ sort: 'createdAt', order: 'desc', offset: 0, limit: 50, ...patch });

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'aelab-run-index-'));
    const store = new LocalArtifactStore(folder);
    runs = new RunRepository(store);
    index = new RunIndex(store, runs, 0);
    const statuses: RunStatus[] = ['completed', 'running', 'failed', 'queued'];
    for (let i = 0; i < 12; i += 1) {
      await runs.create(
        record(`r${String(i).padStart(2, '0')}`, {
          name: i % 3 === 0 ? `morph-lr-${i}` : `baseline-${i}`,
          model: i % 3 === 0 ? 'morphaeus' : 'conv_autoencoder',
          status: statuses[i % 4],
          createdAt: `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`,
          startedAt: i % 4 === 3 ? null : `2026-01-01T00:01:00.000Z`,
          finishedAt: i % 4 === 3 || i % 4 === 1 ? null : `2026-01-01T00:0${1 + (i % 5)}:30.000Z`,
          best: i % 2 === 0 ? { epoch: 1, metric: 'val.loss_mse', value: 1 / (i + 1) } : null,
        }),
        'name: x\n',
      );
    }
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('filters by status, model and text together and lists the models it knows', async () => {
    const page = await query({ model: 'morphaeus', text: 'LR-' });
    expect(page.runs.map((run) => run.id)).toEqual(['r09', 'r06', 'r03', 'r00']);
    expect(page.models).toEqual(['conv_autoencoder', 'morphaeus']);
    expect((await query({ status: 'failed', model: 'conv_autoencoder' })).runs.map((run) => run.id)).toEqual(['r10', 'r02']);
  });

  it('sorts by a column in either order, runs without a value last, and pages through the result', async () => {
    const ascending = await query({ sort: 'best', order: 'asc' });
    expect(ascending.runs.slice(0, 6).map((run) => run.id)).toEqual(['r10', 'r08', 'r06', 'r04', 'r02', 'r00']);
    expect(ascending.runs.slice(6).every((run) => run.best === null)).toBe(true);
    const descending = await query({ sort: 'best', order: 'desc' });
    expect(descending.runs[0].id).toBe('r00');
    expect(descending.runs.slice(6).every((run) => run.best === null)).toBe(true);
    const second = await query({ sort: 'name', order: 'asc', offset: 5, limit: 5 });
    expect(second.total).toBe(12);
    expect(second.runs.map((run) => run.name)).toEqual(['baseline-5', 'baseline-7', 'baseline-8', 'morph-lr-0', 'morph-lr-3']);
  });

  it('sees a run.json rewritten or removed after it was read', async () => {
    expect((await query({ status: 'running' })).total).toBe(3);
    await runs.update('r01', (run) => ({ ...run, status: 'completed' }));
    await rm(join(folder, 'runs', 'r05'), { recursive: true });
    const running = await query({ status: 'running' });
    expect(running.runs.map((run) => run.id)).toEqual(['r09']);
    expect((await query({})).total).toBe(11);
  });
});

describe('RunIndex: kept current from the run change journal, rebuilt from storage without it', () => {
  let folder: string;
  let store: LocalArtifactStore;
  let runs: RunRepository;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'aelab-run-journal-'));
    store = new LocalArtifactStore(folder);
    runs = new RunRepository(store);
    for (const id of ['a', 'b', 'c']) await runs.create(record(id, { status: 'queued' }), 'name: x\n');
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  const statuses = async (index: RunIndex) =>
    (await index.query({ sort: 'name', order: 'asc', offset: 0, limit: 50 })).runs.map((run) => `${run.id}:${run.status}`);

  it('re-reads only the runs whose records were written since its last look', async () => {
    const index = new RunIndex(store, runs, 0);
    expect(await statuses(index)).toEqual(['a:queued', 'b:queued', 'c:queued']);
    await runs.update('b', (run) => ({ ...run, status: 'running' }));
    // Written behind the journal's back: an existing run the index has no reason to read again.
    await writeFile(join(folder, 'runs/c/run.json'), JSON.stringify(record('c', { status: 'failed' })));
    expect(await statuses(index)).toEqual(['a:queued', 'b:running', 'c:queued']);
  });

  it('starts the journal afresh once it has grown past its limit, and every index, however far it had read, still sees every change', async () => {
    const compacting = new RunIndex(store, runs, 0, 40);
    const other = new RunIndex(store, runs, 0);
    expect(await statuses(compacting)).toEqual(['a:queued', 'b:queued', 'c:queued']);
    expect(await statuses(other)).toEqual(['a:queued', 'b:queued', 'c:queued']);
    const before = (await stat(join(folder, RUN_CHANGES_KEY))).size;
    for (let i = 0; i < 20; i += 1) await runs.update('a', (run) => ({ ...run, epoch: i }));
    await runs.update('a', (run) => ({ ...run, status: 'running' }));
    expect(await statuses(compacting)).toEqual(['a:running', 'b:queued', 'c:queued']);
    expect((await stat(join(folder, RUN_CHANGES_KEY))).size).toBe(0);
    // The new journal grows past where the other index had read the old one before it looks again.
    await runs.update('c', (run) => ({ ...run, status: 'failed' }));
    for (let i = 0; i <= before; i += 2) await runs.update('a', (run) => ({ ...run, epoch: i }));
    await runs.update('b', (run) => ({ ...run, status: 'completed' }));
    expect(await statuses(other)).toEqual(['a:running', 'b:completed', 'c:failed']);
    expect(await statuses(compacting)).toEqual(['a:running', 'b:completed', 'c:failed']);
  });

  it('is rebuilt from every run.json when the journal is deleted', async () => {
    const index = new RunIndex(store, runs, 0);
    await statuses(index);
    await writeFile(join(folder, 'runs/c/run.json'), JSON.stringify(record('c', { status: 'failed' })));
    await rm(join(folder, RUN_CHANGES_KEY));
    expect(await statuses(index)).toEqual(['a:queued', 'b:queued', 'c:failed']);
    await runs.update('a', (run) => ({ ...run, status: 'completed' }));
    expect(await statuses(index)).toEqual(['a:completed', 'b:queued', 'c:failed']);
  });
});
