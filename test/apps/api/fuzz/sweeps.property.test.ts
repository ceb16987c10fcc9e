import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configObject, hostileKey, hostileValue, type Mutation, setOwn } from './arbitraries.ts';
import { type Answer, checkMappingMutations, checkYamlEdits, expectClientError, expectNoServerError, expectPrototypesClean, fieldName, prototypeSnapshot, useFuzzApp } from './fuzz-app.ts';

const GRID_FILE = 'configs/sweeps/synthetic-grid.yaml';
const GRID_YAML = readFileSync(GRID_FILE, 'utf8');
/** The grid sweep with its base config written inline: mutations then reach the base config too. */
const INLINE_GRID = (() => {
  const { base: _base, ...sweep } = configObject(GRID_FILE);
  return { ...sweep, base_config: configObject('configs/smoke/synthetic.yaml') };
})();
const BODY_KEYS = ['configPath', 'sweep'];

describe('/api/v1/sweeps under random and mutated input', () => {
  const fuzz = useFuzzApp('sweeps');
  const prototypesBefore = prototypeSnapshot();

  const submit = (body: unknown) => fuzz().send('POST', '/api/v1/sweeps', { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });

  /** A 202 is a queued sweep that GET shows. */
  async function expectQueued(answer: Answer): Promise<void> {
    const id = (answer.body as { id: string }).id;
    const shown = await fuzz().send('GET', `/api/v1/sweeps/${id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ id, status: 'queued' });
  }

  it('refuses a body that is not an object, or has unknown or mistyped fields, naming them', async () => {
    const notObject = (value: unknown) => value === null || typeof value !== 'object' || Array.isArray(value);
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }).filter(notObject).map((value) => ({ body: value, field: 'body' })),
      fc.tuple(hostileKey.filter((key) => !BODY_KEYS.includes(key)), hostileValue).map(([key, value]) => {
        const sweep: Record<string, unknown> = { configPath: GRID_FILE };
        setOwn(sweep, key, value);
        return { body: sweep, field: fieldName('body', key) };
      }),
      hostileValue.filter((value) => typeof value !== 'string').map((value) => ({ body: { configPath: value }, field: 'body.configPath' })),
      hostileValue.filter((value) => typeof value !== 'string' && notObject(value)).map((value) => ({ body: { sweep: value }, field: 'body.sweep' })),
      fc.constant({ body: { configPath: GRID_FILE, sweep: INLINE_GRID }, field: 'body.configPath' }),
    );
    await fc.assert(
      fc.asyncProperty(body, async ({ body: sent, field }) => {
        const answer = await submit(sent);
        const context = JSON.stringify(sent).slice(0, 300);
        expectClientError(answer, [/^body/], context);
        const fields = (answer.body as { problems: { field: string; message: string }[] }).problems.map((problem) => problem.field);
        expect(fields, context).toContain(field);
        if (/unknown field/.test((answer.body as { error: string }).error)) expect((answer.body as { error: string }).error).toContain('expected configPath, sweep');
      }),
      { numRuns: 120 },
    );
  });

  it('a mutated sweep is queued or refused naming the sweep and a key it touched', async () => {
    // Parameters name config paths with dots of their own, so a touched top-level key is
    // enough; `base` and `base_config` are one choice (a missing one names both).
    const top = (key: string) => key.split('.')[0].replace(/_config$/, '');
    const inBase = (key: string) => key.replace(/^base_config\./, '');
    const related = (problemKey: string, changes: readonly Mutation[]) =>
      changes.some((change) => {
        const key = (change.kind === 'add' ? [...change.path, change.key] : change.path).join('.');
        return problemKey === '' || key === '' || top(key) === top(problemKey) || problemKey.includes(inBase(key));
      });
    await checkMappingMutations({ valid: INLINE_GRID, field: 'sweep', submit, expectAccepted: expectQueued, related, numRuns: 150 });
  });

  it('mutated sweep YAML is queued or refused with the line and column', async () => {
    await checkYamlEdits({ yaml: GRID_YAML, field: 'sweep', submit, expectAccepted: expectQueued, numRuns: 150 });
  });

  it('answers any configPath with a queued sweep or a 4xx naming it', async () => {
    const configPath = fc.oneof(
      fc.constantFrom(GRID_FILE, 'configs/smoke/sweep.yaml', 'configs/smoke/baseline.yaml', 'sweeps/../../package.json', '/etc/passwd', 'configs/sweeps', '%2e%2e/x.yaml', 'a\\b.yaml', 'x\u0000.yaml'),
      fc.array(fc.oneof(fc.constantFrom('..', '.', 'sweeps', 'smoke', 'synthetic-grid.yaml'), fc.string({ minLength: 1, maxLength: 8 })), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/')),
    );
    await fc.assert(
      fc.asyncProperty(configPath, async (path) => {
        const answer = await submit({ configPath: path });
        if (answer.status === 202) {
          await expectQueued(answer);
          return;
        }
        expectClientError(answer, [], path);
        const { error } = answer.body as { error: string };
        expect(error.includes('configPath') || error.includes('configs/'), `${path} -> ${error}`).toBe(true);
        if (!path.includes(process.cwd())) expect(error, path).not.toContain(process.cwd());
      }),
      { numRuns: 80 },
    );
  });

  it('refuses search spaces too large to check, quickly, naming the parameters', async () => {
    await fc.assert(
      // Up to 100000 short numbers: under the 1 MiB body limit.
      fc.asyncProperty(fc.integer({ min: 10_001, max: 100_000 }), fc.integer({ min: 1, max: 4 }), fc.constantFrom('grid', 'random'), async (count, split, method) => {
        const parameters: Record<string, unknown> = {};
        for (let part = 0; part < split; part += 1) {
          parameters[`model.params.${['x', 'y', 'seconds_per_epoch', 'category'][part]}`] = { values: Array.from({ length: Math.ceil(count / split) }, (_, i) => i + part * count) };
        }
        const started = Date.now();
        const answer = await submit({ sweep: { ...INLINE_GRID, method, max_trials: 3, parameters } });
        expectClientError(answer, [/^request body "sweep"/, /parameters/]);
        expect(Date.now() - started).toBeLessThan(10_000);
      }),
      { numRuns: 8 },
    );
  });

  it('answers any sweep id with the sweep or a 4xx JSON', async () => {
    const id = fc.oneof(
      fc.constantFrom('s', 'snone', 's20260101-000000-abcdef', '..', '%2e%2e', '%2e%2e%2f%2e%2e', '%00', '%', 'x'.repeat(300), 's'.repeat(129)),
      fc.string({ maxLength: 20 }).map(encodeURIComponent),
    );
    await fc.assert(
      fc.asyncProperty(id, fc.constantFrom('GET', 'POST'), async (sweepId, method) => {
        const path = method === 'GET' ? `/api/v1/sweeps/${sweepId}` : `/api/v1/sweeps/${sweepId}/cancel`;
        const answer = await fuzz().send(method, path);
        expectNoServerError(answer, path);
        if (answer.status >= 400) expect([400, 404], path).toContain(answer.status);
      }),
      { numRuns: 120 },
    );
    const listed = await fuzz().send('GET', '/api/v1/sweeps');
    expect(listed.status).toBe(200);
  });

  it('cancels a queued sweep, then answers 409', async () => {
    const submitted = await submit({ configPath: GRID_FILE });
    expect(submitted.status).toBe(202);
    const id = (submitted.body as { id: string }).id;
    const first = await fuzz().send('POST', `/api/v1/sweeps/${id}/cancel`);
    expect(first.status).toBe(202);
    expectClientError(await fuzz().send('POST', `/api/v1/sweeps/${id}/cancel`), [`sweep ${id} is already cancelled`]);
  });

  it('keeps serving, and nothing reached Object.prototype', async () => {
    expect((await submit({ configPath: GRID_FILE })).status).toBe(202);
    await fuzz().expectStillServing();
    expectPrototypesClean(prototypesBefore);
  });
});
