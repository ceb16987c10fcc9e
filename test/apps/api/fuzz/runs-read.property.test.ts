import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { RUN_STATUSES } from '../../../../shared/contracts/run-record.ts';
import { RUN_SORT_KEYS } from '../../../../shared/runs/run-index.ts';
import { hostileKey } from './arbitraries.ts';
import { expectClientError, expectNoServerError, expectPrototypesClean, fieldName, prototypeSnapshot, useFuzzApp } from './fuzz-app.ts';

/**
 * Strings as they may stand in a path segment: percent-encoded where node would refuse
 * the raw character, and `?` and `#`, which would end the path.
 */
const urlSafe = (text: string) => text.replace(/[^\x21-\x7e]|[?#]/g, (character) => encodeURIComponent(character));

/** Path segments that have broken file servers: traversal in every encoding, NUL, separators, huge names. */
const hostileSegment = fc.oneof(
  fc.constantFrom(
    '..', '.', '', '%2e%2e', '%2E%2E', '.%2e', '%2e.', '%252e%252e', '..%2f..', '..%2F..%2F..', '%2f', '%2fetc%2fpasswd', '..%5c..', '%5c', '\\..\\',
    '%00', 'config.yaml%00.png', '%c0%ae%c0%ae', '%uff0e%uff0e', '%', '%zz', '%e0%a4%a', '..;', '~', 'secret.txt', 'run.json', 'config.yaml',
    'checkpoints', 'escape', 'escape-dir', '.hidden', '.tmp-x', 'a'.repeat(300), 'b'.repeat(5000), '%2e%2e%2f%2e%2e%2fsecret.txt', '/etc/passwd', 'C:%5cWindows',
  ),
  fc.string({ maxLength: 12 }).map(urlSafe),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
);

describe('GET/POST /api/v1/runs/... under random queries and path parameters', () => {
  const fuzz = useFuzzApp('runs-read');
  let runId: string;
  let servable: Set<string>;
  const prototypesBefore = prototypeSnapshot();

  beforeAll(async () => {
    runId = await fuzz().queuedRun();
    // Ways out of the run folder that only the storage checks stand in the way of.
    const folder = join(fuzz().storage, 'runs', runId);
    await symlink(join(fuzz().root, 'secret.txt'), join(folder, 'escape'));
    await symlink(fuzz().root, join(folder, 'escape-dir'));
    await writeFile(join(folder, '.hidden'), fuzz().secret);
    await mkdir(join(folder, 'checkpoints', 'best'), { recursive: true });
    await writeFile(join(folder, 'metrics.jsonl'), `${JSON.stringify({ epoch: 0, train: { loss: 1 } })}\n`);
    servable = new Set(await Promise.all(['config.yaml', 'run.json', 'metrics.jsonl'].map((file) => readFile(join(folder, file), 'utf8'))));
  });

  it('serves only files of the run folder for any artifact path, else a 4xx JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileSegment, { minLength: 1, maxLength: 6 }), fc.boolean(), async (segments, leadingSlash) => {
        const path = `/api/v1/runs/${runId}/artifacts/${leadingSlash ? '/' : ''}${segments.join('/')}`;
        const answer = await fuzz().send('GET', path);
        expectNoServerError(answer, path);
        expect(answer.text, path).not.toContain(fuzz().secret);
        if (answer.status === 200 && !/^application\/json/.test(answer.headers['content-type'] ?? '')) {
          expect(servable.has(answer.text), `${path} served something that is not a file of the run`).toBe(true);
        } else if (answer.status !== 200) {
          expect([400, 404], path).toContain(answer.status);
          // A 400 here can only be a path the router could not percent-decode.
          if (answer.status === 400) expectClientError(answer, [/^path: /], path);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('answers any run id with the run or a 4xx JSON, on every route that takes one', async () => {
    const id = fc.oneof(hostileSegment, fc.constantFrom('r-none', 'r20260101-000000-abcdef', 'runs', 'secret.txt', 'a'.repeat(128), 'a'.repeat(129)));
    const route = fc.constantFrom(
      (run: string) => ['GET', `/api/v1/runs/${run}`] as const,
      (run: string) => ['GET', `/api/v1/runs/${run}/metrics`] as const,
      (run: string) => ['POST', `/api/v1/runs/${run}/cancel`] as const,
      (run: string) => ['GET', `/api/v1/runs/${run}/artifacts/config.yaml`] as const,
    );
    await fc.assert(
      fc.asyncProperty(id, route, async (run, routeOf) => {
        const [method, path] = routeOf(run);
        const answer = await fuzz().send(method, path);
        expectNoServerError(answer, `${method} ${path}`);
        if (answer.status >= 400) expect([400, 404], `${method} ${path}`).toContain(answer.status);
        if (answer.status === 400) expectClientError(answer, [/^path: /], `${method} ${path}`);
      }),
      { numRuns: 250 },
    );
  });

  it('lists runs for a valid query and names the query parameter otherwise, unknown ones too', async () => {
    const value = fc.oneof(
      fc.constantFrom(...RUN_STATUSES, '', ' ', '0', '1', '-1', '500', '501', '1.5', '1e2', '0x10', 'NaN', 'Infinity', '1e400', '9007199254740993', 'null', '[]', '%', '%zz', '%00', 'queued%00'),
      fc.integer({ min: -10, max: 1000 }).map(String),
      fc.string({ maxLength: 10 }).map(encodeURIComponent),
    );
    const name = fc.oneof(fc.constantFrom(...LIST_QUERY_KEYS), hostileKey.map(encodeURIComponent));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(name, value), { maxLength: 4 }), async (pairs) => {
        const query = pairs.map(([key, text]) => `${key}=${text}`).join('&');
        const answer = await fuzz().send('GET', `/api/v1/runs?${query}`);
        expectNoServerError(answer, query);
        if (answer.status === 200) {
          expect((answer.body as { runs: unknown[] }).runs.length, query).toBeLessThanOrEqual((answer.body as { limit: number }).limit);
          return;
        }
        expect(answer.status, query).toBe(400);
        const { error } = answer.body as { error: string };
        expect(error, query).toMatch(/^query[.[]/);
        const sure = definitelyInvalid(pairs);
        if (sure !== null) expect((answer.body as { problems: { field: string }[] }).problems.map((problem) => problem.field), query).toContain(fieldName('query', sure));
        if (/unknown field/.test(error)) expect(error, query).toContain('expected status, offset, limit');
      }),
      { numRuns: 250 },
    );
  });

  it('cancels a queued run once, then answers 409 naming its state', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 4 }), async (repeats) => {
        const run = await fuzz().queuedRun();
        const answers = [];
        for (let i = 0; i < repeats; i += 1) answers.push(await fuzz().send('POST', `/api/v1/runs/${run}/cancel`, { body: { reason: 'x'.repeat(i) } }));
        expect(answers[0].status).toBe(200);
        for (const answer of answers.slice(1)) expectClientError(answer, [`run ${run} is already cancelled`]);
      }),
      { numRuns: 10 },
    );
  });

  it('keeps serving, and nothing reached Object.prototype', async () => {
    await fuzz().expectStillServing();
    expectPrototypesClean(prototypesBefore);
  });
});

const LIST_QUERY_KEYS = ['status', 'offset', 'limit', 'model', 'q', 'sort', 'order'];

/** Whether no reading of the list query's rules could accept `text` as the value of the known parameter `key`. */
function valueRefused(key: string, text: string): boolean {
  const number = Number(text);
  if (key === 'status') return !(RUN_STATUSES as readonly string[]).includes(text);
  if (key === 'limit') return !Number.isInteger(number) || number < 1 || number > 500;
  if (key === 'offset') return !Number.isFinite(number) || number < 0;
  if (key === 'model') return text.length === 0 || text.length > 128;
  if (key === 'q') return text.length > 256;
  if (key === 'sort') return !(RUN_SORT_KEYS as readonly string[]).includes(text);
  return text !== 'asc' && text !== 'desc';
}

/** A parameter of the list query that no reading of the rules could accept (an unknown one included), if there is one. */
function definitelyInvalid(pairs: readonly (readonly [string, string])[]): string | null {
  for (const [key, text] of pairs) {
    const name = decodeURIComponentSafe(key);
    if (!LIST_QUERY_KEYS.includes(name)) return name;
    if (pairs.filter(([other]) => decodeURIComponentSafe(other) === name).length > 1) return name;
    if (valueRefused(name, decodeURIComponentSafe(text))) return name;
  }
  return null;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
