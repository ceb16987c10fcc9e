import type { Express } from 'express';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppDeps } from '../../../apps/api/create-app.ts';
import { useTestApi } from '../../support/use-test-api.ts';

describe('the runs API on real Redis and a real storage folder', () => {
  const api = useTestApi('api');
  let app: Express;
  let queues: AppDeps['queues'];
  beforeAll(() => ({ app, queues } = api()));

  it('queues a run under its id and stores its record and resolved config', async () => {
    const response = await request(app).post('/api/v1/runs').send({ configPath: 'configs/smoke/baseline.yaml', overrides: { 'trainer.params.nr_epochs': 2 } });
    expect(response.status).toBe(202);
    expect(response.headers.location).toBe(`/api/v1/runs/${response.body.id}`);
    expect(response.body).toMatchObject({ status: 'queued', totalEpochs: 2, model: 'conv_autoencoder', seed: 2109, epoch: 0 });
    const job = await queues.train.getJob(response.body.id);
    expect(job?.data.runId).toBe(response.body.id);
    expect(await job?.getState()).toBe('waiting');
    const config = await request(app).get(`/api/v1/runs/${response.body.id}/artifacts/config.yaml`);
    expect(config.text).toContain('nr_epochs: 2');
  });

  it('takes the config as YAML text or as an object', async () => {
    const stored = await request(app).post('/api/v1/runs').send({ configPath: 'configs/smoke/baseline.yaml' });
    const yaml = (await request(app).get(`/api/v1/runs/${stored.body.id}/artifacts/config.yaml`)).text;
    const asText = await request(app).post('/api/v1/runs').send({ config: yaml });
    expect(asText.status).toBe(202);
    const asObject = await request(app)
      .post('/api/v1/runs')
      .send({ config: { name: 'object', model: { name: 'conv_autoencoder', params: { channels: [4], strides: [2] } }, trainer: { name: 'reconstruction', params: { loss: { name: 'l2' }, optimizer_params: { lr: 0.001 } }, data_loader: { name: 'phantoms', params: { args: { target_size: [16, 16] } } } } } });
    expect(asObject.status, JSON.stringify(asObject.body)).toBe(202);
  });

  it.each([
    [{ configPath: 'configs/smoke/baseline.yaml', config: 'name: x' }, /exactly one of "configPath" or "config"/],
    [{ configPath: 'configs/smoke/baseline.yaml', color: 'red' }, /color/],
    [{ configPath: '../package.json' }, /configPath/],
    [{ configPath: 'configs/nothing.yaml' }, /nothing\.yaml/],
    [{ config: 'name: [unclosed' }, /request body "config":1:\d+: invalid YAML/],
    [{ configPath: 'configs/smoke/baseline.yaml', overrides: { 'trainer.params.optimizer_params.lr': 'fast' } }, /trainer\.params\.optimizer_params\.lr: expected a number/],
    [{ configPath: 'configs/smoke/baseline.yaml', overrides: { 'model.params.channels': [8, -1] } }, /model\.params\.channels/],
    [{ configPath: 'configs/smoke/baseline.yaml', overrides: { 'trainer.prams.nr_epochs': 3 } }, /trainer\.prams/],
    [[1, 2, 3], /body/],
    [
      { configPath: 'configs/smoke/morphaeus.yaml', overrides: { 'model.params.inshape': [6, 6], 'trainer.data_loader.params.args.target_size': [6, 6] } },
      /morphaeus\.yaml:\d+:\d+: model\.params\.strides: an input height of 6 .*the reconstruction must be 6 again/,
    ],
    [{ configPath: 'configs/smoke/baseline.yaml', overrides: { 'trainer.name': 'morph' } }, /trainer\.name: trainer "morph" trains morphaeus, not model "conv_autoencoder"/],
    [{ configPath: 'configs/smoke/baseline.yaml', overrides: { 'trainer.data_loader.params.args.seed': 'x' } }, /trainer\.data_loader\.params\.args\.seed: .*must be an integer/],
  ])('refuses %j with a 400 that names the problem', async (body, message) => {
    const response = await request(app).post('/api/v1/runs').send(body as object);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(message);
  });

  it('creates one run for duplicate submissions with the same Idempotency-Key, even concurrent ones', async () => {
    const body = { configPath: 'configs/smoke/baseline.yaml' };
    const before = (await request(app).get('/api/v1/runs?limit=500')).body.total as number;
    const answers = await Promise.all(Array.from({ length: 5 }, () => request(app).post('/api/v1/runs').set('Idempotency-Key', 'submit-42').send(body)));
    expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 200, 202]);
    const other = await request(app).post('/api/v1/runs').set('Idempotency-Key', 'submit-43').send(body);
    expect(other.status).toBe(202);
    expect(other.body.id).not.toBe(answers[0].body.id);
    expect((await request(app).get('/api/v1/runs?limit=500')).body.total).toBe(before + 2);

    // A refused submission does not use the key up.
    const refused = await request(app).post('/api/v1/runs').set('Idempotency-Key', 'submit-44').send({ configPath: 'configs/nothing.yaml' });
    expect(refused.status).toBe(400);
    expect((await request(app).post('/api/v1/runs').set('Idempotency-Key', 'submit-44').send(body)).status).toBe(202);
  });

  it('refuses malformed JSON and bodies over 1 MiB', async () => {
    const malformed = await request(app).post('/api/v1/runs').set('content-type', 'application/json').send('{"configPath": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatch(/not valid JSON/);
    const huge = await request(app).post('/api/v1/runs').send({ config: 'x'.repeat(1_100_000) });
    expect(huge.status).toBe(413);
    expect(huge.body.error).toMatch(/1 MiB/);
  });

  it('answers 404 for runs and routes that do not exist', async () => {
    expect((await request(app).get('/api/v1/runs/r-none')).status).toBe(404);
    expect((await request(app).post('/api/v1/runs/r-none/cancel')).status).toBe(404);
    expect((await request(app).get('/api/v1/runs/..%2F..%2Fetc')).status).toBe(404);
    expect((await request(app).get('/api/v1/nothing')).status).toBe(404);
  });

  it('reports readiness, Prometheus metrics with queue depths, and its OpenAPI document', async () => {
    expect((await request(app).post('/api/v1/runs').send({ configPath: 'configs/smoke/baseline.yaml' })).status).toBe(202);
    expect((await request(app).get('/readyz')).body).toEqual({ status: 'ready', redis: 'ok', storage: 'ok' });
    const metrics = await request(app).get('/metrics');
    expect(metrics.text).toMatch(/aelab_queue_jobs\{queue="train",state="waiting"\} [1-9]/);
    const openapi = await request(app).get('/api/v1/openapi.json');
    expect(Object.keys(openapi.body.paths)).toContain('/api/v1/runs/{id}/cancel');
  });

  it('shows the train, sweep and evaluate queues in Bull Board', async () => {
    const page = await request(app).get('/admin/queues');
    expect(page.status).toBe(200);
    const api = await request(app).get('/admin/queues/api/queues');
    expect(api.body.queues.map((queue: { name: string }) => queue.name).sort()).toEqual(['evaluate', 'sweep', 'train']);
  });

  it('sends a run that requires gpu to the train@gpu queue, which Bull Board and /metrics then show, and says it waits for such a worker', async () => {
    const response = await request(app).post('/api/v1/runs').send({ configPath: 'configs/smoke/baseline.yaml', overrides: { requires: ['gpu'] } });
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ requires: ['gpu'], priority: 'normal', submittedBy: 'anonymous', waitingFor: 'a worker with labels gpu' });
    const board = await request(app).get('/admin/queues/api/queues?activeQueue=train%40gpu&status=waiting');
    const gpuQueue = board.body.queues.find((queue: { name: string }) => queue.name === 'train@gpu');
    expect(gpuQueue?.jobs?.[0]).toMatchObject({ name: 'smoke-baseline (anonymous)', data: { submittedBy: 'anonymous' } });
    expect((await request(app).get('/metrics')).text).toMatch(/aelab_queue_jobs\{queue="train@gpu",state="waiting"\} 1/);
    const plain = await request(app).post('/api/v1/runs').send({ configPath: 'configs/smoke/baseline.yaml', overrides: { requires: ['gpu', 'no such label'] } });
    expect(plain.status).toBe(400);
    expect(plain.body.error).toMatch(/requires\[1\]: expected a label/);
  });
});
