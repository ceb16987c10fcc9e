// How long the runs listing (GET /api/v1/runs?status=…, and the web UI's filtered, sorted
// table) takes over 10,000 runs: the first query reads every run.json; later ones list the
// run folders and read the run change journal, re-reading only the runs written since.
// `npx tsx bench/run-index-scale.ts [runs]`
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunStatus } from '../shared/contracts/run-record.ts';
import { RunIndex, type RunQuery } from '../shared/runs/run-index.ts';
import { RunRepository } from '../shared/runs/run-repository.ts';
import { LocalArtifactStore } from '../shared/storage/local-artifact-store.ts';
import { median } from './median.ts';

const count = Number(process.argv[2] ?? 10_000);
const folder = await mkdtemp(join(tmpdir(), 'aelab-run-index-bench-'));
const STATUSES: RunStatus[] = ['completed', 'running', 'failed'];
try {
  for (let i = 0; i < count; i += 1) {
    const id = `r${String(i).padStart(6, '0')}`;
    await mkdir(join(folder, 'runs', id), { recursive: true });
    const record = { id, name: `run-${i % 97}`, status: STATUSES[i % 3], createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), startedAt: null, finishedAt: null, epoch: i % 10, totalEpochs: 10, model: i % 2 === 0 ? 'morphaeus' : 'conv_autoencoder', latestMetrics: null, best: { epoch: 1, metric: 'val.loss_mse', value: (i % 1000) / 1000 }, worker: null, versions: { aelab: 'b', node: 'b', tfjs: null }, configHash: 'b', attempts: 1, resumedFrom: null, error: null, stoppedEarly: false };
    await writeFile(join(folder, 'runs', id, 'run.json'), JSON.stringify(record));
  }
  const store = new LocalArtifactStore(folder);
  const runs = new RunRepository(store);
  const index = new RunIndex(store, runs, 0);
  const timed = async (query: Partial<RunQuery>) => {
    const started = performance.now();
    const page = await index.query({ sort: 'createdAt', order: 'desc', offset: 50, limit: 50, ...query });
    return { ms: performance.now() - started, page };
  };
  const first = await timed({ status: 'running' });
  console.log(`first query (reads every run.json): ${first.ms.toFixed(0)} ms (${first.page.total} of ${count} running)`);
  const cases: [string, Partial<RunQuery>][] = [
    ['?status=running, page 2', { status: 'running' }],
    ['?status=failed&model=morphaeus&q=run-4&sort=best', { status: 'failed', model: 'morphaeus', text: 'run-4', sort: 'best', order: 'asc' }],
  ];
  for (const [label, query] of cases) {
    const times: number[] = [];
    for (let round = 0; round < 20; round += 1) {
      // Ten runs change between two polls, as workers report epochs.
      for (let k = 0; k < 10; k += 1) await runs.update(`r${String((round * 10 + k) % count).padStart(6, '0')}`, (run) => ({ ...run, epoch: run.epoch + 1 }));
      times.push((await timed(query)).ms);
    }
    console.log(`${label}, 10 runs written before each of 20 queries: median ${median(times).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms`);
  }
} finally {
  await rm(folder, { recursive: true, force: true });
}
