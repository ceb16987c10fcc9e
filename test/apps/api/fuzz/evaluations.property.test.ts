import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { hostileKey, hostileValue, setOwn } from './arbitraries.ts';
import { expectClientError, expectNoServerError, expectPrototypesClean, fieldName, prototypeSnapshot, useFuzzApp } from './fuzz-app.ts';

const BODY_KEYS = ['runId', 'checkpoint', 'tasks'];

describe('/api/v1/evaluations under random and mutated input', () => {
  const fuzz = useFuzzApp('evaluations');
  let runId: string;
  const prototypesBefore = prototypeSnapshot();

  beforeAll(async () => {
    runId = await fuzz().queuedRun();
  });

  const submit = (body: unknown) => fuzz().send('POST', '/api/v1/evaluations', { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });

  it('a mutated request is queued or refused naming the field at fault', async () => {
    const valid = () => ({ runId, checkpoint: 'best', tasks: ['phantoms'] });
    const request = fc.oneof(
      fc.constant({ body: valid() as unknown, field: null as string | null }),
      fc.constantFrom('latest', 'best').map((checkpoint) => ({ body: { runId, checkpoint } as unknown, field: null })),
      fc.jsonValue({ maxDepth: 1 }).filter((value) => value === null || typeof value !== 'object' || Array.isArray(value)).map((body) => ({ body, field: 'body' })),
      fc.tuple(hostileKey.filter((key) => !BODY_KEYS.includes(key)), hostileValue).map(([key, value]) => {
        const body: Record<string, unknown> = valid();
        setOwn(body, key, value);
        return { body: body as unknown, field: fieldName('body', key) };
      }),
      fc.tuple(fc.constantFrom(...BODY_KEYS), hostileValue).map(([key, value]) => {
        const body: Record<string, unknown> = valid();
        body[key] = value;
        return { body: body as unknown, field: `body.${key}` };
      }),
      fc.constantFrom(...BODY_KEYS).map((key) => {
        const body: Record<string, unknown> = valid();
        delete body[key];
        return { body: body as unknown, field: key === 'runId' ? 'body.runId' : null };
      }),
      fc.oneof(fc.string({ minLength: 1, maxLength: 140 }), fc.constantFrom('..', '../runs', 'r-none', runId.toUpperCase(), `${runId}/..`, '__proto__', 'constructor')).map((id) => ({ body: { runId: id } as unknown, field: 'body.runId' })),
      fc.array(fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'phantoms ')), { minLength: 1, maxLength: 4 }).map((tasks) => ({ body: { runId, tasks } as unknown, field: 'body.tasks' })),
    );
    await fc.assert(
      fc.asyncProperty(request, async ({ body, field }) => {
        const answer = await submit(body);
        const context = JSON.stringify(body).slice(0, 300);
        expectNoServerError(answer, context);
        if (answer.status === 202) {
          const evaluation = await fuzz().send('GET', `/api/v1/evaluations/${(answer.body as { id: string }).id}`);
          expect(evaluation.status, context).toBe(200);
          return;
        }
        expect(field, `${context} was refused: ${answer.text.slice(0, 300)}`).not.toBeNull();
        const shown = field!;
        expectClientError(answer, [new RegExp(`^body\\b`)], context);
        const fields = ((answer.body as { problems?: { field: string }[] }).problems ?? [answer.body as { field: string }]).map((problem) => problem.field);
        const named = fields.some((candidate) => candidate === shown || candidate.startsWith(`${shown}[`) || candidate.startsWith(`${shown}.`));
        expect(named, `${context}: ${JSON.stringify(fields)}`).toBe(true);
        const { error } = answer.body as { error: string };
        if (/has no task/.test(error)) expect(error, context).toContain('its tasks: phantoms');
        if (/unknown field/.test(error)) expect(error, context).toContain('expected runId, checkpoint, tasks');
      }),
      { numRuns: 200 },
    );
  });

  it('answers any evaluation id with the evaluation or a 404 JSON', async () => {
    const id = fc.oneof(
      fc.constantFrom('e-none', '..', '%2e%2e', '%2e%2e%2f%2e%2e%2fsecret.txt', '%00', '%', '%zz', 'x'.repeat(129), 'x'.repeat(3000)),
      fc.string({ maxLength: 20 }).map(encodeURIComponent),
    );
    await fc.assert(
      fc.asyncProperty(id, async (evaluationId) => {
        const path = `/api/v1/evaluations/${evaluationId}`;
        const answer = await fuzz().send('GET', path);
        expectNoServerError(answer, path);
        expect([400, 404], path).toContain(answer.status);
        expect(answer.text).not.toContain(fuzz().secret);
      }),
      { numRuns: 100 },
    );
  });

  it('keeps serving, and nothing reached Object.prototype', async () => {
    expect((await submit({ runId })).status).toBe(202);
    await fuzz().expectStillServing();
    expectPrototypesClean(prototypesBefore);
  });
});
