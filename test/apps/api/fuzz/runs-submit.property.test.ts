import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExperimentConfigText } from '../../../../shared/config/load-experiment-config.ts';
import { validateModelParams } from '../../../../shared/ml/model-registry.ts';
import { configObject, hostileKey, hostileValue, type Mutation, pathsOf, setOwn } from './arbitraries.ts';
import { type Answer, checkMappingMutations, checkYamlEdits, expectClientError, expectNoServerError, expectPrototypesClean, fieldName, prototypeSnapshot, useFuzzApp, VALID_RUN_BY_PATH } from './fuzz-app.ts';

const BASELINE_FILE = 'configs/smoke/baseline.yaml';
const BASELINE_YAML = readFileSync(BASELINE_FILE, 'utf8');
const BASELINE = configObject(BASELINE_FILE);
const BODY_KEYS = ['configPath', 'config', 'overrides'];

/** `a.b[2].c`, as config messages write a key. */
function keyPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((key, segment) => (typeof segment === 'number' ? `${key}[${segment}]` : key === '' ? segment : `${key}.${segment}`), '');
}

function isWithin(key: string, ancestor: string): boolean {
  return ancestor === '' || key === ancestor || key.startsWith(`${ancestor}.`) || key.startsWith(`${ancestor}[`);
}

describe('POST /api/v1/runs under random and mutated input', () => {
  const fuzz = useFuzzApp('runs-submit');
  const prototypesBefore = prototypeSnapshot();

  const submit = (body: unknown, headers: Record<string, string> = {}) =>
    fuzz().send('POST', '/api/v1/runs', { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', ...headers } });

  /** A 202 must be a run a worker can train: its stored config.yaml resolves and its model builds. */
  async function expectRunnable(answer: Answer): Promise<void> {
    const id = (answer.body as { id: string }).id;
    const stored = await fuzz().send('GET', `/api/v1/runs/${id}/artifacts/config.yaml`);
    expect(stored.status).toBe(200);
    const { config } = parseExperimentConfigText(stored.text, `stored config of ${id}`);
    validateModelParams(config.model);
  }

  it('refuses a body that is not an object, naming the body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue({ maxDepth: 2 }).filter((value) => value === null || typeof value !== 'object' || Array.isArray(value)), fc.array(fc.jsonValue({ maxDepth: 1 }))), async (body) => {
        const answer = await submit(body);
        expectClientError(answer, [/^body: /], JSON.stringify(body));
      }),
      { numRuns: 60 },
    );
  });

  it('names every unknown field and lists the known ones', async () => {
    const extra = hostileKey.filter((key) => !BODY_KEYS.includes(key));
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(extra, { minLength: 1, maxLength: 3 }), fc.boolean(), async (keys, withValidPart) => {
        const body: Record<string, unknown> = withValidPart ? { ...VALID_RUN_BY_PATH } : {};
        for (const key of keys) setOwn(body, key, 1);
        const answer = await submit(body);
        expectClientError(answer, [/^body/], JSON.stringify(body));
        const problems = (answer.body as { problems: { field: string; message: string }[] }).problems;
        for (const key of keys) {
          const problem = problems.find((candidate) => candidate.field === fieldName('body', key));
          expect(problem?.message, `${JSON.stringify(key)} in ${JSON.stringify(problems)}`).toContain('expected configPath, config, overrides');
        }
      }),
      { numRuns: 80 },
    );
  });

  it('names a known field given a value of the wrong type', async () => {
    const notObject = (value: unknown) => value === null || typeof value !== 'object' || Array.isArray(value);
    const wrongField = fc.oneof(
      fc.tuple(fc.constant('configPath'), hostileValue.filter((value) => typeof value !== 'string')),
      fc.tuple(fc.constant('config'), hostileValue.filter((value) => typeof value !== 'string' && notObject(value))),
      fc.tuple(fc.constant('overrides'), hostileValue.filter(notObject)),
    );
    await fc.assert(
      fc.asyncProperty(wrongField, fc.boolean(), async ([field, value], withValidPart) => {
        const body: Record<string, unknown> = withValidPart ? { ...VALID_RUN_BY_PATH } : {};
        if (field === 'config') delete body.configPath;
        body[field] = value;
        const answer = await submit(body);
        expectClientError(answer, [`body.${field}`], JSON.stringify(body).slice(0, 300));
      }),
      { numRuns: 80 },
    );
  });

  it('answers any configPath with a 202 or a 4xx naming the path, never reading outside configs/', async () => {
    const segment = fc.oneof(
      fc.constantFrom('..', '.', '', 'configs', 'smoke', 'baseline.yaml', 'sweep.yaml', '%2e%2e', '..%2f', '\\..\\', 'package.json', 'etc', 'passwd', '~', 'C:', '\u0000', 'a'.repeat(300)),
      fc.string({ maxLength: 12 }),
    );
    const configPath = fc.oneof(
      fc.array(segment, { minLength: 1, maxLength: 6 }).map((segments) => segments.join('/')),
      fc.array(segment, { minLength: 1, maxLength: 4 }).map((segments) => `/${segments.join('/')}`),
      fc.constantFrom('/etc/passwd', '../package.json', 'configs/../package.json', 'smoke/../../package.json', '/work/main/configs/smoke/baseline.yaml', 'configs/smoke', 'configs/smoke/'),
    ).filter((path) => path.length > 0 && path.length <= 500);
    await fc.assert(
      fc.asyncProperty(configPath, async (path) => {
        const answer = await submit({ configPath: path });
        if (answer.status === 202) {
          expect(path).toMatch(/\.ya?ml$/);
          await expectRunnable(answer);
          return;
        }
        expectClientError(answer, [], path);
        const message = (answer.body as { error: string }).error;
        if (!path.includes(process.cwd())) expect(message, path).not.toContain(process.cwd());
        const named = message.includes('configPath') || message.includes('configs/');
        expect(named, `${path} -> ${message}`).toBe(true);
      }),
      { numRuns: 120 },
    );
  });

  it('a mutated config object is queued as a runnable run or refused naming the config and key', async () => {
    // Some problem is at a mutated key, above it (a mapping it broke) or below it (what it replaced);
    // or, for the shape plan, which the input size and the model parameters decide together, at
    // either of them when the mutations touched one.
    const shapePlanKeys = ['model.params', 'trainer.data_loader.params.args.target_size'];
    const inShapePlan = (key: string) => shapePlanKeys.some((planKey) => isWithin(key, planKey));
    const related = (problemKey: string, changes: readonly Mutation[]) =>
      changes.some((change) => {
        const key = keyPath(change.kind === 'add' ? [...change.path, change.key] : change.path);
        return isWithin(problemKey, key) || isWithin(key, problemKey) || (inShapePlan(problemKey) && inShapePlan(key));
      });
    await checkMappingMutations({ valid: BASELINE, field: 'config', submit, expectAccepted: expectRunnable, related, numRuns: 200 });
  });

  it('mutated YAML text is queued as a runnable run or refused with the line and column', async () => {
    // A config problem in a document that parsed is at the key it names, or its nearest written parent.
    await checkYamlEdits({ yaml: BASELINE_YAML, field: 'config', submit, expectAccepted: expectRunnable, lineless: /top level/, numRuns: 200 });
  });

  it('unknown model names and model parameters are refused with the known ones listed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 20 }).filter((name) => !/^(conv_autoencoder|dense_conv_autoencoder|morphaeus|vae|beta_vae|aae|dae_unet|soft_intro_vae|synthetic_objective)$/.test(name)), fc.boolean(), async (name, asParameter) => {
        const overrides = asParameter ? { [`model.params.${name.replace(/\./g, '_')}`]: 1 } : { 'model.name': name };
        const key = Object.keys(overrides)[0];
        if (asParameter && key.split('.').some((segment) => segment === '' || ['__proto__', 'constructor', 'prototype'].includes(segment))) return;
        const answer = await submit({ configPath: 'configs/smoke/baseline.yaml', overrides });
        if (asParameter) expectClientError(answer, [key, 'unknown parameter (known: in_channels, channels, strides'], key);
        else expectClientError(answer, ['model.name', 'known: conv_autoencoder, dense_conv_autoencoder, morphaeus'], key);
      }),
      { numRuns: 60 },
    );
  });

  it('random overrides are applied or refused naming the override', async () => {
    const known = pathsOf(BASELINE)
      .filter((path) => path.length > 0 && path.every((segment) => typeof segment === 'string'))
      .map((path) => path.join('.'));
    const overridePath = fc.oneof(
      fc.constantFrom(...known),
      fc.tuple(fc.constantFrom(...known), hostileKey).map(([path, key]) => `${path}.${key}`),
      fc.array(hostileKey, { minLength: 1, maxLength: 4 }).map((keys) => keys.join('.')),
    ).filter((path) => path.length >= 1 && path.length <= 300);
    await fc.assert(
      fc.asyncProperty(fc.dictionary(overridePath, hostileValue, { minKeys: 1, maxKeys: 3 }), async (overrides) => {
        const answer = await submit({ configPath: 'configs/smoke/baseline.yaml', overrides });
        const context = JSON.stringify(overrides).slice(0, 400);
        expectNoServerError(answer, context);
        if (answer.status === 202) {
          await expectRunnable(answer);
          return;
        }
        const message = (answer.body as { error: string }).error;
        const names = Object.keys(overrides).some((path) => message.includes(path)) || message.includes('body.overrides');
        expect(names, `${context} -> ${message}`).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('accepts an Idempotency-Key of 1 to 255 characters and names the header otherwise', async () => {
    const printable = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 400 });
    const key = fc.oneof(printable, fc.integer({ min: 250, max: 260 }).map((length) => 'k'.repeat(length)), fc.constant(''));
    await fc.assert(
      fc.asyncProperty(key, fc.boolean(), async (clientKey, validBody) => {
        const answer = await submit(validBody ? VALID_RUN_BY_PATH : { configPath: 7 }, { 'Idempotency-Key': clientKey });
        if (!validBody) expectClientError(answer, ['body.configPath'], clientKey);
        else if (clientKey.length === 0 || clientKey.length > 255) expectClientError(answer, ['Idempotency-Key'], clientKey);
        else expect([200, 202], `${clientKey} -> ${answer.text.slice(0, 300)}`).toContain(answer.status);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses text that is not JSON, naming the body', async () => {
    const notJson = fc.oneof(
      fc.string({ minLength: 1, maxLength: 200 }),
      fc.jsonValue().map((value) => JSON.stringify(value)).chain((json) => fc.nat(json.length).map((cut) => json.slice(0, cut) + '}')),
      fc.constantFrom('{"configPath": ', '{configPath: "x"}', "{'configPath': 'x'}", '[', '{"a":1,}', 'NaN', '\u0000', '\uFEFF{}', '{"a": 1e999999}'),
    );
    await fc.assert(
      fc.asyncProperty(notJson, async (text) => {
        let parsed: unknown;
        try {
          // body-parser drops a byte order mark, as it should.
          parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
        } catch {
          parsed = undefined;
        }
        const answer = await fuzz().send('POST', '/api/v1/runs', { body: text, headers: { 'Content-Type': 'application/json' } });
        if (parsed === undefined && text.trim().length > 0) expectClientError(answer, [/^body: not valid JSON/], JSON.stringify(text));
        else expectNoServerError(answer, JSON.stringify(text));
      }),
      { numRuns: 100 },
    );
  });

  it('answers other content types and encodings with a 4xx naming the header', async () => {
    const contentType = fc.constantFrom(
      'text/plain',
      'text/yaml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/octet-stream',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/json; charset=nope',
      'image/png',
    );
    await fc.assert(
      fc.asyncProperty(contentType, fc.option(fc.constantFrom('gzip', 'deflate', 'br', 'compress', 'x-nope', 'identity, gzip')), async (type, encoding) => {
        const headers: Record<string, string> = { 'Content-Type': type };
        if (encoding !== null) headers['Content-Encoding'] = encoding;
        const answer = await fuzz().send('POST', '/api/v1/runs', { body: JSON.stringify(VALID_RUN_BY_PATH), headers });
        const context = `${type} ${encoding}`;
        if (!type.startsWith('application/json')) expectClientError(answer, [/^Content-Type: /], context);
        else if (encoding !== null) expectClientError(answer, [/^Content-(Encoding|Type): /], context);
        else if (type.includes('charset')) expectClientError(answer, [/charset/, 'Content-Type'], context);
        else expect(answer.status, context).toBe(202);
      }),
      { numRuns: 80 },
    );
  });

  it('refuses bodies over 1 MiB with a 413 naming the limit', async () => {
    // Sizes are drawn and bodies built inside, so that a counterexample prints short.
    const huge = fc.tuple(fc.constantFrom('config text', 'override value', 'config list'), fc.integer({ min: 1_048_577, max: 1_300_000 }));
    const bodyOf = (kind: string, size: number): unknown => {
      if (kind === 'config text') return { config: 'x'.repeat(size) };
      if (kind === 'override value') return { configPath: 'configs/smoke/baseline.yaml', overrides: { name: 'n'.repeat(size) } };
      return { config: Array.from({ length: Math.ceil(size / 8) }, () => 1234567) };
    };
    await fc.assert(
      fc.asyncProperty(huge, async ([kind, size]) => {
        const answer = await submit(bodyOf(kind, size));
        expect(answer.status).toBe(413);
        expectClientError(answer, ['body', '1 MiB']);
      }),
      { numRuns: 6 },
    );
  });

  it('refuses deep nesting and alias bombs quickly, with where they are', async () => {
    // Built as text: JSON.stringify itself would overflow on the deepest of these.
    const deepJson = fc.tuple(fc.integer({ min: 101, max: 60_000 }), fc.boolean(), fc.constantFrom('config', 'overrides')).map(([depth, asList, field]) => {
      const deep = `${(asList ? '[' : '{"a":').repeat(depth)}1${(asList ? ']' : '}').repeat(depth)}`;
      return field === 'config'
        ? `{"config": ${JSON.stringify(BASELINE).slice(0, -1)}, "deep": ${deep}}}`
        : `{"configPath": "configs/smoke/baseline.yaml", "overrides": {"model.params.deep": ${deep}}}`;
    });
    await fc.assert(
      fc.asyncProperty(deepJson, async (text) => {
        const started = Date.now();
        const answer = await fuzz().send('POST', '/api/v1/runs', { body: text, headers: { 'Content-Type': 'application/json' } });
        expectClientError(answer, [/^body\.(config|overrides)/, 'nested deeper than 100 levels']);
        expect(Date.now() - started).toBeLessThan(10_000);
      }),
      { numRuns: 15 },
    );
    // width^levels is at least 6^8, well over the 100000 values a document may expand to.
    const bomb = fc.tuple(fc.integer({ min: 8, max: 12 }), fc.integer({ min: 6, max: 10 })).map(([levels, width]) => {
      const lines = [`l0: &l0 [${Array(width).fill('x').join(', ')}]`];
      for (let level = 1; level < levels; level += 1) lines.push(`l${level}: &l${level} [${Array(width).fill(`*l${level - 1}`).join(', ')}]`);
      return `${BASELINE_YAML}\n${lines.join('\n')}\n`;
    });
    await fc.assert(
      fc.asyncProperty(bomb, async (text) => {
        const started = Date.now();
        const answer = await submit({ config: text });
        expectClientError(answer, [/^request body "config":\d+:\d+: l\d+/, 'aliases expand the document']);
        expect(Date.now() - started).toBeLessThan(10_000);
      }),
      { numRuns: 10 },
    );
    const selfReference = await submit({ config: `${BASELINE_YAML}\nloop: &loop [1, *loop]\n` });
    expectClientError(selfReference, [/^request body "config":\d+:\d+: loop/, 'contains it']);
  });

  it('keeps serving, and nothing reached Object.prototype', async () => {
    await fuzz().expectStillServing();
    expectPrototypesClean(prototypesBefore);
  });
});
