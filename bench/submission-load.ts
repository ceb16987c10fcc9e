import { performance } from 'node:perf_hooks';
import type { RunRecord } from '../shared/contracts/run-record.ts';
import { mapConcurrently } from '../shared/runs/map-concurrently.ts';
import { AelabStack } from '../test/support/aelab-stack.ts';
import { prometheusSample } from '../test/support/prometheus-sample.ts';
import { percentile } from './sweep-bench-stack.ts';

/** What one load run does. */
export interface LoadOptions {
  /** Submissions to send. */
  runs: number;
  /** Submissions in flight at once (one keep-alive connection each). */
  concurrency: number;
  /** `limit` of the GET /runs pages that check every submission is listed (the API's maximum is 500). */
  pageSize: number;
  /**
   * `--max-old-space-size` of the API process, in MiB. Heap used as /metrics reports it includes
   * garbage not yet collected; a small limit makes V8 collect, so what is left is what the API keeps.
   */
  apiHeapLimitMiB?: number;
  /** Called after every answered submission. */
  onSubmitted?: (answered: number, accepted: number) => void;
  /** Stops submitting; the stack is still stopped and cleaned. */
  signal?: AbortSignal;
}

/** p50/p90/p99/max of a set of request latencies, in ms. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** The API process's memory as its /metrics reports it. */
export interface ApiMemory {
  rssBytes: number;
  heapUsedBytes: number;
}

export interface LoadReport {
  runs: number;
  concurrency: number;
  apiHeapLimitMiB: number | null;
  submissions: {
    accepted: number;
    /** Submissions not answered 202: status or network error, first few kept. */
    rejected: number;
    rejections: string[];
    wallSeconds: number;
    perSecond: number;
    latencyMs: LatencySummary;
  };
  listing: {
    pageSize: number;
    /** Every `total` the pages reported (one value when consistent). */
    totals: number[];
    listed: number;
    /** Accepted ids that no page listed. */
    missing: number;
    /** Ids listed on more than one page. */
    duplicates: number;
    /** Listed ids that no submission returned. */
    unexpected: number;
    pagesLatencyMs: LatencySummary;
    /** `GET /api/v1/runs`, the default first page of 50, repeated. */
    firstPageLatencyMs: LatencySummary;
    /** `GET /api/v1/runs?status=queued`, which reads every run.json. */
    statusFilterLatencyMs: LatencySummary;
  };
  /** Jobs waiting in the `train` queue after the submissions (nothing consumes them). */
  trainWaiting: number;
  apiMemory: { before: ApiMemory; after: ApiMemory };
  /** Submissions lost: not accepted, or accepted and never listed. */
  lost: number;
  /** True when nothing was lost, every page reported `total` = runs, and the queue holds runs jobs. */
  passed: boolean;
  wallSeconds: number;
}

const FIRST_PAGE_REPEATS = 20;
const STATUS_FILTER_REPEATS = 5;

/**
 * Starts the API as its own process (no workers, so every train job stays waiting) on a
 * private queue prefix and a temporary storage folder, sends `runs` submissions over
 * keep-alive HTTP with `concurrency` in flight, then pages through GET /api/v1/runs to find
 * every accepted id, reads the queue depth and the API's memory from /metrics, and stops
 * the API and removes its queue keys and storage.
 */
export async function runSubmissionLoad(options: LoadOptions): Promise<LoadReport> {
  const began = performance.now();
  const env = options.apiHeapLimitMiB === undefined ? undefined : { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${options.apiHeapLimitMiB}`.trim() };
  const stack = await AelabStack.start({ label: 'load', workers: 0, env });
  try {
    const before = await apiMemory(stack.baseUrl);
    const submissions = await submitAll(stack.baseUrl, options);
    const listing = await listEverything(stack.baseUrl, options.pageSize);
    const accepted = new Set(submissions.acceptedIds);
    const missing = [...accepted].filter((id) => !listing.ids.has(id)).length;
    const unexpected = [...listing.ids].filter((id) => !accepted.has(id)).length;
    const firstPage = await repeatedly(FIRST_PAGE_REPEATS, () => timedGet(stack.baseUrl, '/api/v1/runs'));
    const statusFilter = await repeatedly(STATUS_FILTER_REPEATS, () => timedGet(stack.baseUrl, '/api/v1/runs?status=queued&limit=50'));
    const metrics = await fetchText(`${stack.baseUrl}/metrics`);
    const trainWaiting = metricValue(metrics, 'aelab_queue_jobs', { queue: 'train', state: 'waiting' });
    const after = memoryFrom(metrics);
    const lost = submissions.rejections.length + missing;
    const submitSeconds = submissions.wallMs / 1000;
    return {
      runs: options.runs,
      concurrency: options.concurrency,
      apiHeapLimitMiB: options.apiHeapLimitMiB ?? null,
      submissions: {
        accepted: submissions.acceptedIds.length,
        rejected: submissions.rejections.length,
        rejections: submissions.rejections.slice(0, 10),
        wallSeconds: round(submitSeconds),
        perSecond: round(submissions.acceptedIds.length / submitSeconds),
        latencyMs: summarize(submissions.latencies),
      },
      listing: {
        pageSize: options.pageSize,
        totals: [...new Set(listing.totals)],
        listed: listing.ids.size,
        missing,
        duplicates: listing.duplicates,
        unexpected,
        pagesLatencyMs: summarize(listing.latencies),
        firstPageLatencyMs: summarize(firstPage),
        statusFilterLatencyMs: summarize(statusFilter),
      },
      trainWaiting,
      apiMemory: { before, after },
      lost,
      passed:
        lost === 0 &&
        unexpected === 0 &&
        listing.duplicates === 0 &&
        listing.totals.every((total) => total === options.runs) &&
        trainWaiting === options.runs,
      wallSeconds: round((performance.now() - began) / 1000),
    };
  } finally {
    await stack.stop();
  }
}

/** A small inline config of the synthetic model: what the API validates, stores and queues for every run. */
function submissionBody(index: number): string {
  return JSON.stringify({
    config: {
      name: `load-${index}`,
      experiment: { name: 'synthetic', task: 'train', weights: null },
      seed: 2109,
      mode: 'reference',
      model: { name: 'synthetic_objective', params: { x: 0.5, y: 0, category: 'a', seconds_per_epoch: 0 } },
      trainer: {
        name: 'synthetic',
        params: { nr_epochs: 1, loss: { name: 'l2' }, optimizer_params: { lr: 1e-2 } },
        data_loader: { name: 'phantoms', params: { args: { target_size: [8, 8], batch_size: 8, train_count: 8, val_count: 8, test_count: 0, seed: 7 } } },
      },
    },
  });
}

async function submitAll(baseUrl: string, options: LoadOptions) {
  const acceptedIds: string[] = [];
  const rejections: string[] = [];
  const latencies: number[] = [];
  const indices = Array.from({ length: options.runs }, (_, i) => i);
  const started = performance.now();
  await mapConcurrently(indices, options.concurrency, async (index) => {
    if (options.signal?.aborted) throw new Error('interrupted');
    const sent = performance.now();
    try {
      const response = await fetch(`${baseUrl}/api/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: submissionBody(index) });
      const text = await response.text();
      latencies.push(performance.now() - sent);
      if (response.status === 202) acceptedIds.push((JSON.parse(text) as RunRecord).id);
      else rejections.push(`submission ${index}: HTTP ${response.status} ${text.slice(0, 200)}`);
    } catch (error) {
      rejections.push(`submission ${index}: ${error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error)}`);
    }
    options.onSubmitted?.(acceptedIds.length + rejections.length, acceptedIds.length);
  });
  return { acceptedIds, rejections, latencies, wallMs: performance.now() - started };
}

/** Pages through GET /api/v1/runs from offset 0 until a page comes back short. */
async function listEverything(baseUrl: string, pageSize: number) {
  const ids = new Set<string>();
  const totals: number[] = [];
  const latencies: number[] = [];
  let duplicates = 0;
  for (let offset = 0; ; offset += pageSize) {
    const { ms, body } = await timedGet<{ runs: RunRecord[]; total: number }>(baseUrl, `/api/v1/runs?limit=${pageSize}&offset=${offset}`);
    latencies.push(ms);
    totals.push(body.total);
    for (const run of body.runs) {
      if (ids.has(run.id)) duplicates += 1;
      ids.add(run.id);
    }
    if (body.runs.length < pageSize) return { ids, totals, latencies, duplicates };
  }
}

async function timedGet<T = unknown>(baseUrl: string, path: string): Promise<{ ms: number; body: T }> {
  const sent = performance.now();
  const response = await fetch(`${baseUrl}${path}`);
  const text = await response.text();
  const ms = performance.now() - sent;
  if (response.status !== 200) throw new Error(`GET ${path} → HTTP ${response.status}: ${text.slice(0, 300)}`);
  return { ms, body: JSON.parse(text) as T };
}

async function repeatedly(times: number, request: () => Promise<{ ms: number }>): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < times; i += 1) latencies.push((await request()).ms);
  return latencies;
}

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url} → HTTP ${response.status}: ${text.slice(0, 300)}`);
  return text;
}

async function apiMemory(baseUrl: string): Promise<ApiMemory> {
  return memoryFrom(await fetchText(`${baseUrl}/metrics`));
}

function memoryFrom(metrics: string): ApiMemory {
  return {
    rssBytes: metricValue(metrics, 'aelab_api_process_resident_memory_bytes'),
    heapUsedBytes: metricValue(metrics, 'aelab_api_nodejs_heap_size_used_bytes'),
  };
}

/** The value of one sample: the series `name` with exactly these labels. */
function metricValue(metrics: string, name: string, labels: Record<string, string> = {}): number {
  const value = prometheusSample(metrics, name, labels, { exact: true });
  if (value === null) throw new Error(`metric ${name}${Object.keys(labels).length > 0 ? JSON.stringify(labels) : ''} not in the API's /metrics`);
  return value;
}

function summarize(latencies: readonly number[]): LatencySummary {
  if (latencies.length === 0) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  return {
    count: latencies.length,
    p50: round(percentile(latencies, 0.5)),
    p90: round(percentile(latencies, 0.9)),
    p99: round(percentile(latencies, 0.99)),
    max: round(Math.max(...latencies)),
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
