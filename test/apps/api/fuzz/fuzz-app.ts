import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import request from 'supertest';
import fc from 'fast-check';
import winston from 'winston';
import { afterAll, beforeAll, expect } from 'vitest';
import { appDeps } from '../../../../apps/api/app-deps.ts';
import { type AppDeps, createApp } from '../../../../apps/api/create-app.ts';
import { LocalArtifactStore } from '../../../../shared/storage/local-artifact-store.ts';
import { useTempFolder } from '../../../support/use-temp-folder.ts';
import { useTestRedis } from '../../../support/use-test-redis.ts';
import { applyMutations, type Mutation, mutations, yamlEdits } from './arbitraries.ts';

/** A response as supertest gives it, reduced to what the checks read. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  text: string;
}

/**
 * The API in-process on the real Redis (a private queue prefix, no workers: jobs stay
 * queued) and a temporary storage folder, next to a folder outside storage holding a
 * secret that no request may ever read.
 */
export class FuzzApp {
  /** How many requests the properties sent, reported at the end of each file. */
  requests = 0;

  private constructor(
    readonly app: Express,
    private readonly queues: AppDeps['queues'],
    readonly root: string,
    readonly storage: string,
    readonly secret: string,
    /** What the app logged: every 5xx path of the error handler logs, so the tests require none. */
    readonly loggedErrors: readonly string[],
  ) {}

  /** The app on `redis` (under the queue prefix the caller set), its storage inside `root`. */
  static async start(redis: Redis, root: string): Promise<FuzzApp> {
    const storage = join(root, 'storage');
    await mkdir(storage);
    // Beside storage and at its top, where `..` from a run folder would lead.
    const secret = `secret-${Math.random().toString(36).slice(2)}`;
    await writeFile(join(root, 'secret.txt'), secret);
    await writeFile(join(storage, 'secret.txt'), secret);
    const loggedErrors: string[] = [];
    const logger = winston.createLogger({
      transports: [
        new winston.transports.Stream({
          stream: new Writable({
            write(chunk: Buffer, _encoding, done) {
              loggedErrors.push(chunk.toString('utf8'));
              done();
            },
          }),
        }),
      ],
    });
    const store = new LocalArtifactStore(storage);
    const deps = appDeps({ redis, store, logger, configsDir: resolve('configs'), apiToken: undefined, version: 'fuzz' });
    const app = createApp(deps);
    return new FuzzApp(app, deps.queues, root, storage, secret, loggedErrors);
  }

  /** Sends one request; `body` as a string is sent raw with the given content type. */
  async send(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS',
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    this.requests += 1;
    const agent = request(this.app);
    let pending = agent[method.toLowerCase() as 'get'](path);
    for (const [name, value] of Object.entries(options.headers ?? {})) pending = pending.set(name, value);
    if (options.body !== undefined) pending = pending.send(options.body as object);
    const response = await pending;
    return { status: response.status, headers: response.headers as Record<string, string>, body: response.body as unknown, text: response.text ?? '' };
  }

  /** A run queued from a config file, for the routes that take a run id. */
  async queuedRun(): Promise<string> {
    const answer = await this.send('POST', '/api/v1/runs', { body: VALID_RUN_BY_PATH });
    expect(answer.status, answer.text).toBe(202);
    return (answer.body as { id: string }).id;
  }

  /**
   * The app still answers after everything the properties sent: liveness, and a valid
   * submission is still queued.
   */
  async expectStillServing(): Promise<void> {
    const health = await this.send('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    await this.queuedRun();
    expect(this.loggedErrors, 'the error handler logged unexpected errors').toEqual([]);
  }

  /** Closes the app's queues; the keys under the prefix and the folder go with their owners. */
  async close(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((queue) => queue.close()));
  }
}

/**
 * A FuzzApp for the enclosing describe block, closed after it with the count of requests
 * its properties sent.
 */
export function useFuzzApp(label: string): () => FuzzApp {
  const redis = useTestRedis(`fuzz-${label}`);
  const root = useTempFolder(`aelab-fuzz-${label}-`);
  let fuzz: FuzzApp | undefined;
  beforeAll(async () => {
    fuzz = await FuzzApp.start(redis(), root());
  });
  afterAll(async () => {
    console.log(`${label} properties sent ${fuzz?.requests} requests`);
    await fuzz?.close();
  });
  return () => {
    if (fuzz === undefined) throw new Error('useFuzzApp: the app starts in beforeAll');
    return fuzz;
  };
}

/** A document submitted under one field of the body, and what an accepted one must satisfy. */
interface DocumentSubmission {
  /** The body field that carries the document. */
  field: string;
  submit: (body: Record<string, unknown>) => Promise<Answer>;
  expectAccepted: (answer: Answer) => Promise<void>;
  numRuns: number;
}

/** A submission of YAML text. */
export interface YamlSubmission extends DocumentSubmission {
  yaml: string;
  /** Refusals that may name no line: problems of the document as a whole. */
  lineless?: RegExp;
}

/** A submission of a mapping, with which refused problem keys count as caused by the mutated keys. */
export interface MappingSubmission extends DocumentSubmission {
  valid: unknown;
  /** Whether a problem's key is one the mutations could have caused. */
  related: (problemKey: string, changes: readonly Mutation[]) => boolean;
}

/** Mutated copies of the mapping are each queued, or refused naming the field and a problem the mutations caused. */
export async function checkMappingMutations(submission: MappingSubmission): Promise<void> {
  const { field } = submission;
  await fc.assert(
    fc.asyncProperty(mutations(submission.valid), async (changes) => {
      const answer = await submission.submit({ [field]: applyMutations(submission.valid, changes) });
      const context = JSON.stringify(changes).slice(0, 400);
      expectNoServerError(answer, context);
      if (answer.status === 202) {
        await submission.expectAccepted(answer);
        return;
      }
      expectClientError(answer, [new RegExp(`^request body "${field}": `)], context);
      const { problems, error } = answer.body as { problems: { key: string }[]; error: string };
      expect(problems.some((problem) => submission.related(problem.key, changes)), `${context} -> ${error}`).toBe(true);
    }),
    { numRuns: submission.numRuns },
  );
}

/**
 * Mutated copies of the YAML are each queued, or refused naming the field: a syntax error
 * with its line and column in the text, any other problem with the line of the key at fault.
 */
export async function checkYamlEdits(submission: YamlSubmission): Promise<void> {
  const { field } = submission;
  const lineCount = submission.yaml.split('\n').length;
  await fc.assert(
    fc.asyncProperty(yamlEdits(submission.yaml), async (text) => {
      const answer = await submission.submit({ [field]: text });
      const context = JSON.stringify(text);
      expectNoServerError(answer, context);
      if (answer.status === 202) {
        await submission.expectAccepted(answer);
        return;
      }
      expectClientError(answer, [new RegExp(`^request body "${field}"`)], context);
      const { error, line, column } = answer.body as { error: string; line: number | null; column: number | null };
      if (/invalid YAML|YAML document/.test(error)) {
        expect(error, context).toMatch(new RegExp(`^request body "${field}":\\d+:\\d+: `));
        expect(line, context).toBeGreaterThanOrEqual(1);
        expect(line, context).toBeLessThanOrEqual(lineCount + 3);
        expect(column, context).toBeGreaterThanOrEqual(1);
      } else if (submission.lineless === undefined || !submission.lineless.test(error)) {
        expect(line, `${context} -> ${error}`).not.toBeNull();
      }
    }),
    { numRuns: submission.numRuns },
  );
}

export const VALID_RUN_BY_PATH = { configPath: 'configs/smoke/baseline.yaml', overrides: { 'trainer.params.nr_epochs': 2 } };

/**
 * An answer to bad input: a 4xx whose JSON body has an `error` message (no stack trace)
 * that contains every one of `names` (field paths, header names).
 */
export function expectClientError(answer: Answer, names: readonly (string | RegExp)[] = [], context = ''): void {
  const where = `${context} -> ${answer.status} ${answer.text.slice(0, 500)}`;
  expect(answer.status, where).toBeGreaterThanOrEqual(400);
  expect(answer.status, where).toBeLessThan(500);
  expect(answer.headers['content-type'], where).toMatch(/^application\/json/);
  const message = (answer.body as { error?: unknown }).error;
  expect(typeof message, where).toBe('string');
  expect((message as string).length, where).toBeGreaterThan(0);
  expect(message as string, where).not.toMatch(/\n\s+at .+:\d+:\d+/);
  for (const name of names) {
    if (typeof name === 'string') expect(message as string, where).toContain(name);
    else expect(message as string, where).toMatch(name);
  }
}

/** Any answer: never a 5xx, and an error is always JSON. */
export function expectNoServerError(answer: Answer, context = ''): void {
  const where = `${context} -> ${answer.status} ${answer.text.slice(0, 500)}`;
  expect(answer.status, where).toBeLessThan(500);
  if (answer.status >= 400) expectClientError(answer, [], context);
}

/** How the API names a key of a request part: `body.configPath`, `body["a b"]`, long keys cut to 80 characters. */
export function fieldName(where: string, key: string): string {
  const shown = key.length > 80 ? `${key.slice(0, 77)}...` : key;
  return /^[A-Za-z0-9_$-]+$/.test(key) ? `${where}.${shown}` : `${where}[${JSON.stringify(shown)}]`;
}

/** What Object.prototype and Array.prototype hold now, to compare after the properties ran. */
export function prototypeSnapshot(): string[] {
  return [Object.prototype, Array.prototype, Function.prototype].flatMap((prototype) => Reflect.ownKeys(prototype).map(String));
}

/** No request may have added a property to a built-in prototype. */
export function expectPrototypesClean(before: readonly string[]): void {
  expect(prototypeSnapshot()).toEqual(before);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
}
