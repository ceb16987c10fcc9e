import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostileKey } from './arbitraries.ts';
import { expectClientError, expectNoServerError, expectPrototypesClean, useFuzzApp, prototypeSnapshot } from './fuzz-app.ts';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** Header values node can send: printable ASCII. */
const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 200 }),
  fc.constantFrom('text/html', '*/*', 'application/xml', 'Bearer x', 'Basic Og==', 'Basic', 'gzip', 'application/json; charset=utf-16', '0', '-1', '99999999999999999999'),
);
const headers = fc.dictionary(
  fc.constantFrom('Accept', 'Authorization', 'Content-Type', 'Idempotency-Key', 'X-Forwarded-For', 'Accept-Encoding', 'Accept-Language', 'If-None-Match', 'Range', 'Cookie', 'X-Http-Method-Override'),
  headerValue,
  { maxKeys: 4 },
);

describe('the service routes and unknown routes under random methods, paths, queries and headers', () => {
  const fuzz = useFuzzApp('service');
  const prototypesBefore = prototypeSnapshot();

  it('/healthz, /readyz, /metrics and the OpenAPI document answer 200 whatever the query and headers', async () => {
    const query = fc.array(fc.tuple(hostileKey.map(encodeURIComponent), fc.string({ maxLength: 10 }).map(encodeURIComponent)), { maxLength: 3 }).map((pairs) => pairs.map(([key, value]) => `${key}=${value}`).join('&'));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/healthz', '/readyz', '/metrics', '/api/v1/openapi.json'), query, headers, async (path, search, sent) => {
        const answer = await fuzz().send('GET', `${path}?${search}`, { headers: sent });
        // `If-None-Match: *` (or the body's ETag) is answered 304 Not Modified, as HTTP says.
        const expected = sent['If-None-Match'] !== undefined && answer.status === 304 ? 304 : 200;
        expect(answer.status, `${path}?${search} ${JSON.stringify(sent)} -> ${answer.text.slice(0, 300)}`).toBe(expected);
      }),
      { numRuns: 120 },
    );
  });

  it('any method on any path: the route, or a 4xx JSON', async () => {
    const segment = fc.oneof(
      fc.constantFrom('api', 'v1', 'runs', 'sweeps', 'evaluations', 'compare', 'artifacts', 'cancel', 'metrics', 'openapi.json', 'admin', 'queues', 'healthz', '..', '%2e%2e', '%00', '%', '%zz', '', 'x'.repeat(2000)),
      fc.string({ maxLength: 10 }).map(encodeURIComponent),
    );
    const path = fc.oneof(
      fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => `/${parts.join('/')}`),
      fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => `/api/v1/${parts.join('/')}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...METHODS), path, headers, async (method, target, sent) => {
        const answer = await fuzz().send(method, target, { headers: sent });
        const context = `${method} ${target} ${JSON.stringify(sent)}`;
        if (method === 'HEAD') {
          expect(answer.status, context).toBeLessThan(500);
          return;
        }
        expectNoServerError(answer, context);
        if (answer.status >= 400 && !target.startsWith('/admin/queues')) expectClientError(answer, [], context);
      }),
      { numRuns: 300 },
    );
  });

  it('Bull Board answers random queue API calls without a 5xx', async () => {
    const queue = fc.oneof(fc.constantFrom('train', 'sweep', 'evaluate', 'nothing', '..', '%2e%2e', '__proto__'), fc.string({ maxLength: 8 }).map(encodeURIComponent));
    const action = fc.constantFrom('', '/jobs/x', '/jobs/x/logs', '/pause', '/resume', '/empty', '/clean/completed', '/clean/nothing', '/retry/failed', '/add');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'PUT', 'POST'), queue, action, async (method, name, suffix) => {
        const target = `/admin/queues/api/queues/${name}${suffix}`;
        const answer = await fuzz().send(method, target, method === 'GET' ? {} : { body: { data: { x: 1 } } });
        expect(answer.status, `${method} ${target} -> ${answer.text.slice(0, 300)}`).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps serving, and nothing reached Object.prototype', async () => {
    await fuzz().expectStillServing();
    expectPrototypesClean(prototypesBefore);
  });
});
