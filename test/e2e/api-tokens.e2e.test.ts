import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AelabStack } from '../support/aelab-stack.ts';
import { useTempFolder } from '../support/use-temp-folder.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENV_WRITE = 'env-write-7f3c9a1e5b2d4c6f8a0b';
const FILE_WRITE = 'file-write-2b4d6f8a0c1e3a5c7e9f';
const READ = 'file-read-9e8d7c6b5a4f3e2d1c0b';
// Tokens someone tried: they must not reach the logs either.
const PRESENTED_WRONG = ['wrong-guess-a1b2c3d4e5f6a7b8c9d0', `${READ.slice(0, -1)}X`];
const SECRETS = [ENV_WRITE, FILE_WRITE, READ, ...PRESENTED_WRONG];

const encodings = (token: string) => [token, Buffer.from(`user:${token}`).toString('base64'), Buffer.from(`:${token}`).toString('base64')];

describe('the API process with token roles', () => {
  const folder = useTempFolder('aelab-api-tokens-e2e-');
  let stack: AelabStack;

  beforeAll(async () => {
    const tokensFile = join(folder(), 'tokens');
    await writeFile(tokensFile, `# role token name\nwrite ${FILE_WRITE} ci\nread ${READ} dashboard\n`);
    stack = await AelabStack.start({
      label: 'e2e-tokens',
      workers: 0,
      apiToken: ENV_WRITE,
      env: { AELAB_API_TOKENS_FILE: tokensFile, AELAB_LOG_LEVEL: 'debug' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('serves each role and never writes a token, right or wrong, to its output or its metrics', async () => {
    const basic = (token: string) => ({ authorization: `Basic ${Buffer.from(`user:${token}`).toString('base64')}` });
    const call = (method: string, path: string, headers: Record<string, string>, body?: string) =>
      fetch(`${stack.baseUrl}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body }).then((r) => r.status);

    expect(await call('GET', '/api/v1/runs', { authorization: `Bearer ${READ}` })).toBe(200);
    expect(await call('POST', '/api/v1/runs', { authorization: `Bearer ${READ}` }, '{}')).toBe(403);
    expect(await call('POST', '/api/v1/runs', { authorization: `Bearer ${FILE_WRITE}` }, '{"configPath":')).toBe(400);
    expect(await call('POST', '/api/v1/runs', { authorization: `Bearer ${ENV_WRITE}` }, JSON.stringify({ configPath: 'configs/nope.yaml' }))).toBe(400);
    expect(await call('GET', '/api/v1/runs/does-not-exist', { authorization: `Bearer ${ENV_WRITE}` })).toBe(404);
    expect(await call('GET', '/admin/queues', basic(READ))).toBe(200);
    expect(await call('PUT', '/admin/queues/api/queues/train/pause', basic(READ))).toBe(403);
    for (const wrong of PRESENTED_WRONG) {
      expect(await call('GET', '/api/v1/runs', { authorization: `Bearer ${wrong}` })).toBe(401);
      expect(await call('GET', '/admin/queues', basic(wrong))).toBe(401);
    }
    expect(await call('GET', `/api/v1/runs/${READ}`, {})).toBe(401);

    const metrics = await fetch(`${stack.baseUrl}/metrics`, { headers: { authorization: `Bearer ${READ}` } }).then((r) => r.text());
    expect(metrics).toContain('aelab_http_request_duration_seconds');
    for (const secret of SECRETS) for (const form of encodings(secret)) expect(metrics).not.toContain(form);

    await stack.stop();
    const output = stack.api.output();
    expect(output).toContain('token required (2 write, 1 read)');
    for (const secret of SECRETS) for (const form of encodings(secret)) expect(output).not.toContain(form);
  });
});

describe('the API process with a bad token file', () => {
  const folder = useTempFolder('aelab-api-tokens-bad-');

  it('refuses to start with one line naming the file and line, without the token', async () => {
    const tokensFile = join(folder(), 'tokens');
    // Columns swapped on line 3: the "role" there is a token and must not be echoed.
    await writeFile(tokensFile, `# role token name\nread ${READ} dashboard\n${FILE_WRITE} write ci\n`);
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'apps/api/main.ts')], {
      env: { ...process.env, AELAB_API_TOKENS_FILE: tokensFile, PORT: '0', HOST: '127.0.0.1', AELAB_STORAGE: folder() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));

    expect(code).toBe(1);
    const lines = output.trim().split('\n');
    expect(lines).toHaveLength(1);
    const logged = JSON.parse(lines[0] ?? '') as { level: string; message: string; error: string };
    expect(logged.level).toBe('error');
    expect(logged.message).toBe('api could not start');
    expect(logged.error).toBe(`AELAB_API_TOKENS_FILE=${tokensFile} line 3: the role (first field) must be "read" or "write"`);
    for (const secret of [READ, FILE_WRITE]) expect(output).not.toContain(secret);
  });
});
