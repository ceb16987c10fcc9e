import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunRecord, RunStatus } from '../../../shared/contracts/run-record.ts';
import { RunRepository } from '../../../shared/runs/run-repository.ts';
import { LocalArtifactStore } from '../../../shared/storage/local-artifact-store.ts';
import { runPaths } from '../../../shared/storage/run-paths.ts';

/** The real store, counting the run.json it is asked to read. */
class RunJsonReadCounter extends LocalArtifactStore {
  runJsonReads = 0;

  override async readText(key: string): Promise<string> {
    if (key.endsWith('/run.json')) this.runJsonReads += 1;
    return super.readText(key);
  }
}

function run(id: string, createdAt: string, status: RunStatus = 'queued'): RunRecord {
  return {
    id,
    name: id,
    status,
    createdAt,
    startedAt: null,
    finishedAt: null,
    epoch: 0,
    totalEpochs: 1,
    model: 'conv_autoencoder',
    submittedBy: 'anonymous',
    requires: [],
    priority: 'normal',
    latestMetrics: null,
    best: null,
    worker: null,
    versions: { aelab: 'test', node: process.version, tfjs: null },
    configHash: 'hash',
    attempts: 0,
    resumedFrom: null,
    error: null,
    stoppedEarly: false,
  };
}

/** Second `n` after a fixed start, as run.json writes it. */
const at = (n: number) => new Date(Date.UTC(2026, 10, 27, 0, 0, 0) + n * 1000).toISOString();

describe('RunRepository.list', () => {
  let root: string;
  let store: RunJsonReadCounter;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'aelab-run-list-'));
    store = new RunJsonReadCounter(root);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** Runs created by one repository (say, a sweep controller in a worker) in an order unrelated to their ids. */
  async function createRuns(count: number): Promise<RunRecord[]> {
    const creator = new RunRepository(new LocalArtifactStore(root));
    const records = Array.from({ length: count }, (_, i) => run(`run-${String((i * 37) % count).padStart(4, '0')}`, at(i)));
    for (const record of records) await creator.create(record, 'name: x\n');
    return records;
  }

  async function everyPage(repository: RunRepository, limit: number): Promise<{ ids: string[]; totals: number[] }> {
    const ids: string[] = [];
    const totals: number[] = [];
    for (let offset = 0; ; offset += limit) {
      const page = await repository.list({ offset, limit });
      ids.push(...page.runs.map((r) => r.id));
      totals.push(page.total);
      if (page.runs.length < limit) return { ids, totals };
    }
  }

  it('pages through every run newest first, each once, with the total on every page', async () => {
    const records = await createRuns(120);
    const { ids, totals } = await everyPage(new RunRepository(store), 25);
    expect(ids).toEqual([...records].reverse().map((r) => r.id));
    expect(new Set(totals)).toEqual(new Set([120]));
  });

  it('runs created in the same millisecond keep one order across pages (newest id first)', async () => {
    const creator = new RunRepository(store);
    for (const id of ['b', 'd', 'a', 'c', 'e']) await creator.create(run(id, at(0)), 'name: x\n');
    const { ids } = await everyPage(new RunRepository(store), 2);
    expect(ids).toEqual(['e', 'd', 'c', 'b', 'a']);
  });

  it('after its first listing, a listing reads only the run.json of its page', async () => {
    await createRuns(300);
    const api = new RunRepository(store);
    await api.list({ offset: 0, limit: 10 });
    expect(store.runJsonReads).toBe(310);
    store.runJsonReads = 0;
    const page = await api.list({ offset: 150, limit: 10 });
    expect(page.runs).toHaveLength(10);
    expect(page.total).toBe(300);
    expect(store.runJsonReads).toBe(10);
  });

  it('the repository that created the runs reads none of them again to list them', async () => {
    const creator = new RunRepository(store);
    for (let i = 0; i < 50; i += 1) await creator.create(run(`r${i}`, at(i)), 'name: x\n');
    store.runJsonReads = 0;
    const page = await creator.list({ offset: 0, limit: 5 });
    expect(page.runs.map((r) => r.id)).toEqual(['r49', 'r48', 'r47', 'r46', 'r45']);
    expect(store.runJsonReads).toBe(5);
  });

  it('shows runs that another process created, in their place, and drops runs removed from storage', async () => {
    const api = new RunRepository(store);
    const worker = new RunRepository(new LocalArtifactStore(root));
    await worker.create(run('first', at(0)), 'name: x\n');
    await worker.create(run('third', at(20)), 'name: x\n');
    expect((await api.list({ offset: 0, limit: 10 })).runs.map((r) => r.id)).toEqual(['third', 'first']);

    await worker.create(run('second', at(10)), 'name: x\n');
    await worker.create(run('fourth', at(30)), 'name: x\n');
    const grown = await api.list({ offset: 0, limit: 10 });
    expect(grown.runs.map((r) => r.id)).toEqual(['fourth', 'third', 'second', 'first']);
    expect(grown.total).toBe(4);

    await store.remove(runPaths('third').root);
    const shrunk = await api.list({ offset: 0, limit: 10 });
    expect(shrunk.runs.map((r) => r.id)).toEqual(['fourth', 'second', 'first']);
    expect(shrunk.total).toBe(3);
  });

  it('leaves out a run whose run.json is not written yet, and lists it once it is', async () => {
    const api = new RunRepository(store);
    await api.create(run('done', at(0)), 'name: x\n');
    await store.write(runPaths('midway').config, 'name: x\n');
    expect(await api.list({ offset: 0, limit: 10 })).toMatchObject({ total: 1, runs: [{ id: 'done' }] });

    await store.write(runPaths('midway').runRecord, JSON.stringify(run('midway', at(5))));
    expect(await api.list({ offset: 0, limit: 10 })).toMatchObject({ total: 2, runs: [{ id: 'midway' }, { id: 'done' }] });
  });

  it('shows the current record of every run on the page, not the one it saw first', async () => {
    const api = new RunRepository(store);
    await api.create(run('a', at(0)), 'name: x\n');
    await api.list({ offset: 0, limit: 10 });
    await new RunRepository(new LocalArtifactStore(root)).update('a', (r) => ({ ...r, status: 'running', epoch: 3 }));
    expect((await api.list({ offset: 0, limit: 10 })).runs[0]).toMatchObject({ id: 'a', status: 'running', epoch: 3 });
  });
});
