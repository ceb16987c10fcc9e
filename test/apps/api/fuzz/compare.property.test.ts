import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { hostileKey } from './arbitraries.ts';
import { expectClientError, expectNoServerError, expectPrototypesClean, fieldName, prototypeSnapshot, useFuzzApp } from './fuzz-app.ts';

const QUERY_KEYS = ['runs', 'sweep', 'metric', 'format'];

describe('GET /api/v1/compare under random queries', () => {
  const fuzz = useFuzzApp('compare');
  let runIds: string[];
  let sweepId: string;
  const prototypesBefore = prototypeSnapshot();

  beforeAll(async () => {
    runIds = [await fuzz().queuedRun(), await fuzz().queuedRun()];
    const sweep = await fuzz().send('POST', '/api/v1/sweeps', { body: { configPath: 'configs/sweeps/synthetic-grid.yaml' } });
    expect(sweep.status).toBe(202);
    sweepId = (sweep.body as { id: string }).id;
  });

  it('answers any query with a table or a 400 naming the query parameter', async () => {
    // {run0}, {run1} and {sweep} stand for the ids made above, so that counterexamples print.
    const ids = fc.oneof(
      fc.constantFrom('{run0},{run1}', '{run0}', '{run0},,{run1},', '{run0},{run0}'),
      fc.array(fc.oneof(fc.constantFrom('r-none', '..', '%2e%2e', '__proto__', ' ', '', 'a'.repeat(129)), fc.string({ maxLength: 10 }).map(encodeURIComponent)), { minLength: 1, maxLength: 5 }).map((list) => list.join(',')),
      fc.integer({ min: 400, max: 700 }).map((count) => Array.from({ length: count }, (_, i) => `r${i}`).join(',')),
    );
    const value = fc.oneof(
      fc.constantFrom('auroc', 'auprc', 'fpr95', 'fpr99', 'json', 'markdown', 'csv', '', 'AUROC', 'html', '%00', '%', '%zz'),
      fc.string({ maxLength: 10 }).map(encodeURIComponent),
    );
    const parameter = fc.oneof(
      ids.map((list) => `runs=${list}`),
      fc.constantFrom('{sweep}', 'snone', 's', '..', '%2e%2e%2fruns').map((id) => `sweep=${id}`),
      value.map((text) => `metric=${text}`),
      value.map((text) => `format=${text}`),
      fc.tuple(hostileKey.map(encodeURIComponent), value).map(([key, text]) => `${key}=${text}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(parameter, { maxLength: 4 }), async (parts) => {
        const query = parts.join('&').replace(/\{run0\}/g, runIds[0]).replace(/\{run1\}/g, runIds[1]).replace(/\{sweep\}/g, sweepId);
        const answer = await fuzz().send('GET', `/api/v1/compare?${query}`);
        expectNoServerError(answer, query);
        // No run here has a completed evaluation, so every comparison is refused with a reason.
        expectClientError(answer, [/^query[.[]/], query);
        const { error, field } = answer.body as { error: string; field: string };
        expect(error.startsWith(`${field}: `), `${query} -> ${error}`).toBe(true);
        const sent = query.split('&').map((pair) => decodeURIComponentSafe(pair.split('=')[0]));
        const named = QUERY_KEYS.some((key) => field === `query.${key}`) || sent.some((key) => field === fieldName('query', key));
        expect(named, `${query} -> ${error}`).toBe(true);
        if (/unknown field/.test(error)) expect(error).toContain('expected runs, sweep, metric, format');
        if (/no completed evaluation/.test(error)) expect(error).toContain('POST /api/v1/evaluations');
      }),
      { numRuns: 250 },
    );
  });

  it('keeps serving, and nothing reached Object.prototype', async () => {
    await fuzz().expectStillServing();
    expectPrototypesClean(prototypesBefore);
  });
});

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
