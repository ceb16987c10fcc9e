import type { Express } from 'express';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseApiTokens } from '../../../apps/api/api-tokens.ts';
import type { AppDeps } from '../../../apps/api/create-app.ts';
import { useTestApi } from '../../support/use-test-api.ts';

const ENV_WRITE = 'env-write-token-0123456789abcdef';
const FILE_WRITE = 'file-write-token-0123456789abcdef';
const READ = 'read-token-fedcba9876543210fedcba';
// Configured as read in the file and as AELAB_API_TOKEN: write wins.
const BOTH = 'both-roles-token-00112233445566778899';
const SMOKE_RUN = { configPath: 'configs/smoke/baseline.yaml', overrides: { 'trainer.params.nr_epochs': 1 } };

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const basic = (token: string) => ({ authorization: `Basic ${Buffer.from(`anyone:${token}`).toString('base64')}` });

describe('API tokens with read and write roles (createApp on real Redis)', () => {
  const fileTokens = parseApiTokens(`write ${FILE_WRITE} ci\nread ${READ} dashboard\nread ${BOTH} both\n`, 'tokens.txt');
  const api = useTestApi('token-roles', { apiToken: ENV_WRITE, apiTokens: fileTokens });
  let app: Express;
  let bothApp: Express;
  let queues: AppDeps['queues'];
  beforeAll(() => {
    ({ app, queues } = api());
    bothApp = api().appWith({ apiToken: BOTH, apiTokens: fileTokens });
  });

  it('keeps /healthz open and answers 401 without a token or with a wrong one', async () => {
    expect((await request(app).get('/healthz')).status).toBe(200);
    for (const headers of [{}, bearer('wrong-token-0123456789abcdef'), bearer(`${READ}x`), basic('wrong'), { authorization: 'Token abc' }]) {
      const response = await request(app).get('/api/v1/runs').set(headers);
      expect(response.status).toBe(401);
      expect(response.body.error).toMatch(/missing or wrong API token/);
    }
    expect((await request(app).post('/api/v1/runs').send(SMOKE_RUN)).status).toBe(401);
  });

  it('asks browsers for Basic credentials on /admin only', async () => {
    const board = await request(app).get('/admin/queues');
    expect(board.status).toBe(401);
    expect(board.headers['www-authenticate']).toBe('Basic realm="aelab"');
    expect((await request(app).get('/api/v1/runs')).headers['www-authenticate']).toBeUndefined();
  });

  it('lets a read token GET and HEAD everything', async () => {
    for (const path of ['/api/v1/runs', '/api/v1/sweeps', '/api/v1/openapi.json', '/metrics', '/readyz']) {
      expect((await request(app).get(path).set(bearer(READ))).status, path).toBe(200);
    }
    expect((await request(app).head('/api/v1/runs').set(bearer(READ))).status).toBe(200);
    expect((await request(app).get('/api/v1/runs/nope').set(bearer(READ))).status).toBe(404);
  });

  it('refuses every other method to a read token with 403, before any route runs', async () => {
    const refused = [
      request(app).post('/api/v1/runs').send(SMOKE_RUN),
      request(app).post('/api/v1/runs/some-run/cancel'),
      request(app).post('/api/v1/sweeps').send({}),
      request(app).post('/api/v1/evaluations').send({}),
      request(app).delete('/api/v1/runs/some-run'),
      request(app).put('/api/v1/runs'),
      request(app).options('/api/v1/runs'),
    ];
    for (const pending of refused) {
      const response = await pending.set(bearer(READ));
      expect(response.status).toBe(403);
      expect(response.body.error).toMatch(/read-only token/);
    }
    expect(await queues.train.count()).toBe(0);
  });

  it('lets write tokens from AELAB_API_TOKEN and from the file submit runs', async () => {
    for (const token of [ENV_WRITE, FILE_WRITE]) {
      const response = await request(app).post('/api/v1/runs').set(bearer(token)).send(SMOKE_RUN);
      expect(response.status).toBe(202);
      expect(response.body.status).toBe('queued');
    }
    expect(await queues.train.count()).toBe(2);
  });

  it('treats a token configured with both roles as a write token', async () => {
    expect((await request(app).post('/api/v1/runs/x/cancel').set(bearer(BOTH))).status).toBe(403);
    expect((await request(bothApp).post('/api/v1/runs/x/cancel').set(bearer(BOTH))).status).toBe(404);
  });

  it('shows a read token the Bull Board without its buttons and refuses its mutating API', async () => {
    const page = await request(app).get('/admin/queues').set(basic(READ));
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/html/);

    const readBoard = await request(app).get('/admin/queues/api/queues').set(basic(READ));
    expect(readBoard.status).toBe(200);
    const readQueues = readBoard.body.queues as Array<{ name: string; readOnlyMode: boolean; allowRetries: boolean }>;
    expect(readQueues.map((queue) => queue.name).sort()).toEqual(['evaluate', 'sweep', 'train']);
    expect(readQueues.every((queue) => queue.readOnlyMode && !queue.allowRetries)).toBe(true);

    for (const [method, path] of [
      ['put', '/admin/queues/api/queues/train/clean/completed'],
      ['put', '/admin/queues/api/queues/train/pause'],
      ['post', '/admin/queues/api/queues/train/add'],
      ['delete', '/admin/queues/api/queues/train/obliterate'],
    ] as const) {
      const response = await request(app)[method](path).set(basic(READ));
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(response.body.error).toMatch(/read-only token/);
    }
    expect(await queues.train.isPaused()).toBe(false);
  });

  it('gives a write token the full Bull Board, whose actions work', async () => {
    const writeBoard = await request(app).get('/admin/queues/api/queues').set(basic(FILE_WRITE));
    const writeQueues = writeBoard.body.queues as Array<{ readOnlyMode: boolean }>;
    expect(writeQueues.every((queue) => !queue.readOnlyMode)).toBe(true);

    const clean = await request(app).put('/admin/queues/api/queues/train/clean/completed').set(basic(FILE_WRITE));
    expect(clean.status).toBe(200);
    const pause = await request(app).put('/admin/queues/api/queues/train/pause').set(bearer(ENV_WRITE));
    expect(pause.status).toBe(200);
    expect(await queues.train.isPaused()).toBe(true);
  });
  it('logs the web UI in with a token into an HttpOnly SameSite=Strict cookie that carries the token\'s role', async () => {
    const page = await request(app).get('/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('/ui/app.js');

    const wrong = await request(app).post('/ui/session').send({ token: `${READ}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();

    const login = await request(app).post('/ui/session').send({ token: READ });
    expect(login.status).toBe(200);
    const [cookie] = login.headers['set-cookie'] as unknown as string[];
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const session = cookie.split(';')[0];
    expect((await request(app).get('/api/v1/session').set('cookie', session)).body).toEqual({ role: 'read', authRequired: true });
    expect((await request(app).get('/api/v1/runs').set('cookie', session)).status).toBe(200);
    expect((await request(app).post('/api/v1/runs').set('cookie', session).send(SMOKE_RUN)).status).toBe(403);

    const writer = (await request(app).post('/ui/session').send({ token: FILE_WRITE })).headers['set-cookie'] as unknown as string[];
    expect((await request(app).post('/api/v1/runs').set('cookie', writer[0].split(';')[0]).send(SMOKE_RUN)).status).toBe(202);
    const logout = await request(app).delete('/ui/session');
    expect((logout.headers['set-cookie'] as unknown as string[])[0]).toMatch(/Max-Age=0/);
  });
});
