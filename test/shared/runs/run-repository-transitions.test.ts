import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseExperimentConfigText } from '../../../shared/config/load-experiment-config.ts';
import { newRunRecord } from '../../../shared/runs/new-run-record.ts';
import { RunRepository } from '../../../shared/runs/run-repository.ts';
import { LocalArtifactStore } from '../../../shared/storage/local-artifact-store.ts';

const CONFIG = `name: t
seed: 5
model: {name: conv_autoencoder, params: {channels: [4], strides: [2]}}
trainer: {name: reconstruction, params: {loss: {name: l2}, optimizer_params: {lr: 0.001}}, data_loader: {name: phantoms, params: {args: {target_size: [16, 16]}}}}
`;

describe('RunRepository state transitions', () => {
  let root: string;
  let runs: RunRepository;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'aelab-transitions-'));
    runs = new RunRepository(new LocalArtifactStore(root));
    await runs.create(newRunRecord('r1', parseExperimentConfigText(CONFIG, 'c.yaml').config, CONFIG, 'ann'), CONFIG);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('a run taken, failed once, retried and completed keeps its start, counts its attempts and ends with no error', async () => {
    expect(await runs.get('r1')).toMatchObject({ status: 'queued', seed: 5, attempts: 0 });
    const first = await runs.markRunning('r1', { host: 'h', pid: 1 });
    expect(first).toMatchObject({ status: 'running', attempts: 1, worker: { host: 'h', pid: 1, backend: null, device: null } });
    expect(await runs.markQueued('r1', { error: 'worker lost' })).toMatchObject({ status: 'queued', error: 'worker lost', finishedAt: null });
    const second = await runs.markRunning('r1', { host: 'h', pid: 2 });
    expect(second).toMatchObject({ attempts: 2, error: null, startedAt: first.startedAt });
    const done = await runs.markCompleted('r1', { epoch: 3, stoppedEarly: true });
    expect(done).toMatchObject({ status: 'completed', epoch: 3, stoppedEarly: true });
    expect(done.finishedAt).not.toBeNull();
  });

  it('a run taken from the record its worker has just read is written from that record', async () => {
    const read = (await runs.get('r1'))!;
    await runs.update('r1', (r) => ({ ...r, name: 'renamed on disk meanwhile' }));
    expect(await runs.markRunning('r1', { host: 'h', pid: 1 }, read)).toMatchObject({ status: 'running', attempts: 1, name: read.name });
    expect(await runs.get('r1')).toMatchObject({ status: 'running', name: read.name });
  });

  it('a cancelled or failed run records when it ended, and a failure why', async () => {
    expect((await runs.markCancelled('r1')).finishedAt).not.toBeNull();
    expect(await runs.markFailed('r1', 'could not be queued')).toMatchObject({ status: 'failed', error: 'could not be queued' });
    expect(await runs.markQueued('r1', { totalEpochs: 9 })).toMatchObject({ status: 'queued', totalEpochs: 9, finishedAt: null });
  });
});
