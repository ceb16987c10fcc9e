import type { Queue } from 'bullmq';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { QUEUE_NAMES } from '../contracts/queue-names.ts';

/**
 * The API's Prometheus registry: process metrics, HTTP timings, queue depths and jobs
 * recovered from storage. `listQueues` is asked at each scrape, so queues that appear
 * later (`train@gpu`) are counted.
 */
export function createApiMetrics(listQueues: () => Promise<Queue[]>) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'aelab_api_' });
  const httpRequests = new Histogram({
    name: 'aelab_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'aelab_queue_jobs',
    help: 'Jobs per queue and state, read from Redis at scrape time',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      for (const queue of await listQueues()) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'waiting-children', 'prioritized');
        for (const [state, count] of Object.entries(counts)) this.set({ queue: queue.name, state }, count);
      }
    },
  });
  const runsSubmitted = new Counter({ name: 'aelab_runs_submitted_total', help: 'Runs accepted by the API', registers: [registry] });
  const recoveredJobs = new Counter({
    name: 'aelab_recovered_jobs_total',
    help: 'Jobs the reconciler queued again because storage had the record and Redis had lost the job',
    labelNames: ['queue'],
    registers: [registry],
  });
  for (const name of QUEUE_NAMES) recoveredJobs.inc({ queue: name }, 0);
  return { registry, httpRequests, runsSubmitted, recoveredJobs };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;
