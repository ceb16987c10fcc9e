// How long the web UI's runs listing takes over 10,000 runs: the first query reads every
// run.json, later ones stat each and re-read only the changed. `npx tsx bench/run-index-scale.ts [runs]`
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunIndex } from '../shared/runs/run-index.ts';
import { RunRepository } from '../shared/runs/run-repository.ts';
import { LocalArtifactStore } from '../shared/storage/local-artifact-store.ts';

const count = Number(process.argv[2] ?? 10_000);
const folder = await mkdtemp(join(tmpdir(), 'aelab-run-index-bench-'));
try {
  for (let i = 0; i < count; i += 1) {
    const id = `r${String(i).padStart(6, '0')}`;
    await mkdir(join(folder, 'runs', id), { recursive: true });
    const record = { id, name: `run-${i % 97}`, status: ['completed', 'running', 'failed'][i % 3], createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), startedAt: null, finishedAt: null, epoch: i % 10, totalEpochs: 10, model: i % 2 === 0 ? 'morphaeus' : 'conv_autoencoder', latestMetrics: null, best: { epoch: 1, metric: 'val.loss_mse', value: (i % 1000) / 1000 }, worker: null, versions: { aelab: 'b', node: 'b', tfjs: null }, configHash: 'b', attempts: 1, resumedFrom: null, error: null, stoppedEarly: false };
    await writeFile(join(folder, 'runs', id, 'run.json'), JSON.stringify(record));
  }
  const store = new LocalArtifactStore(folder);
  const index = new RunIndex(store, new RunRepository(store), 0);
  const timed = async (label: string) => {
    const started = performance.now();
    const page = await index.query({ model: 'morphaeus', text: 'run-4', sort: 'best', order: 'asc', offset: 50, limit: 50 });
    console.log(`${label}: ${(performance.now() - started).toFixed(0)} ms (${page.total} of ${count} match, page of ${page.runs.length})`);
  };
  await timed('first query (reads every run.json)');
  for (let i = 1; i <= 3; i += 1) await timed(`query ${i + 1} (stats only)`);
} finally {
  await rm(folder, { recursive: true, force: true });
}
