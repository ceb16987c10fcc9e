import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, loadAll } from 'js-yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../shared/contracts/run-record.ts';
import { AelabStack } from '../support/aelab-stack.ts';
import { writeCxrLayoutDataset } from '../infra/compose/cxr-layout-dataset.ts';
import { automaticEvaluationId, evaluationHolder } from '../infra/compose/evaluation-holder.ts';
import type { ComposeFile } from '../infra/compose/local-compose-file.ts';
import { TINY_CXR_SIZE, tinyCxrSubmission } from '../infra/compose/tiny-cxr-submission.ts';

// Docker is not where CI runs, so the worker services of docker-compose.yml and the worker
// Deployments of infra/k8s run here as worker processes with the environment they give
// (test/infra/compose/compose-routing-check.ts runs the compose stack itself where dockerd is).

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What the stack sets for every process (its Redis, storage, data root, prefix); metrics ports would clash. */
const SET_BY_STACK = new Set(['REDIS_URL', 'AELAB_STORAGE', 'AELAB_DATA_ROOT', 'AELAB_QUEUE_PREFIX', 'AELAB_METRICS_PORT']);

interface WorkerGroup {
  name: string;
  replicas: number;
  env: Record<string, string>;
  /** Reserves a GPU: there is none here, so its backend becomes cpu and only its labels say gpu. */
  reservesGpu: boolean;
}

async function composeWorkers(): Promise<WorkerGroup[]> {
  const compose = load(await readFile(join(ROOT, 'docker-compose.yml'), 'utf8')) as ComposeFile;
  return Object.entries(compose.services)
    .filter(([name, service]) => name.startsWith('worker') && service.profiles === undefined)
    .map(([name, service]) => ({ name, replicas: service.deploy?.replicas ?? 1, env: service.environment ?? {}, reservesGpu: service.deploy?.resources !== undefined }));
}

interface Deployment {
  kind: string;
  metadata: { name: string };
  spec: { replicas?: number; template: { spec: { containers: Array<{ env?: Array<{ name: string; value?: string }>; resources?: { limits?: Record<string, unknown> } }> } } };
}

async function k8sWorkers(): Promise<WorkerGroup[]> {
  const dir = join(ROOT, 'infra/k8s');
  const documents = (await Promise.all((await readdir(dir)).filter((f) => f.endsWith('.yaml')).map(async (f) => loadAll(await readFile(join(dir, f), 'utf8'))))).flat() as Deployment[];
  return documents
    .filter((doc) => doc?.kind === 'Deployment' && doc.metadata.name.startsWith('aelab-worker') && (doc.spec.replicas ?? 1) > 0)
    .map((doc) => {
      const [container] = doc.spec.template.spec.containers;
      const env = Object.fromEntries((container.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
      return { name: doc.metadata.name, replicas: doc.spec.replicas ?? 1, env, reservesGpu: container.resources?.limits?.['nvidia.com/gpu'] !== undefined };
    });
}

function processEnv(group: WorkerGroup): Record<string, string> {
  const kept = Object.fromEntries(Object.entries(group.env).filter(([key]) => !SET_BY_STACK.has(key)));
  return group.reservesGpu ? { ...kept, AELAB_BACKEND: 'cpu' } : kept;
}

describe('a CXR config with requires: [gpu] on the workers the deployment files define (real API, Redis and worker processes)', () => {
  let dataRoot: string;
  let stack: AelabStack | undefined;
  beforeAll(async () => {
    dataRoot = await mkdtemp(join(tmpdir(), 'aelab-cxr-layout-'));
    await writeCxrLayoutDataset(dataRoot, TINY_CXR_SIZE);
  });
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });
  afterAll(() => rm(dataRoot, { recursive: true, force: true }));

  /** Starts every replica of the groups; returns pid → group name. */
  async function startPool(label: string, groups: WorkerGroup[]): Promise<Map<number, string>> {
    stack = await AelabStack.start({ label, workers: 0, env: { AELAB_DATA_ROOT: dataRoot } });
    const pool = new Map<number, string>();
    for (const group of groups) {
      for (let i = 0; i < group.replicas; i += 1) pool.set(stack.addWorker(processEnv(group)).child.pid!, group.name);
    }
    return pool;
  }

  /** Submits the gpu runs first (every worker idle), then plain ones; returns each run finished, with who evaluated it. */
  async function runAll(gpuRuns: number, plainRuns: number): Promise<Array<RunRecord & { evaluatedBy: number }>> {
    const submitted: RunRecord[] = [];
    for (const requiresGpu of [...Array(gpuRuns).fill(true), ...Array(plainRuns).fill(false)]) {
      const { status, body } = await stack!.request<RunRecord>('POST', '/api/v1/runs', tinyCxrSubmission(requiresGpu));
      expect(status, JSON.stringify(body)).toBe(202);
      submitted.push(body);
    }
    const finished = [];
    for (const run of submitted) {
      const evalId = automaticEvaluationId(run.id);
      await stack!.waitFor(async () => {
        const { status, body } = await stack!.request<{ status: string }>('GET', `/api/v1/evaluations/${evalId}`);
        return status === 200 && (body.status === 'completed' || body.status === 'failed') ? true : null;
      }, 240_000, `run ${run.id} and its evaluation`);
      finished.push({ ...(await stack!.run(run.id)), evaluatedBy: (await evaluationHolder(stack!.storage, run.id, evalId)).pid });
    }
    return finished;
  }

  it('docker-compose.yml: both CPU workers idle, yet every gpu run and its evaluation run on worker-gpu', { timeout: 480_000 }, async () => {
    const groups = await composeWorkers();
    expect(groups.map((g) => `${g.name}×${g.replicas}`).sort()).toEqual(['worker-cpu×2', 'worker-gpu×1']);
    const pool = await startPool('e2e-compose-routing', groups);
    const runs = await runAll(2, 2);
    for (const run of runs) {
      expect(run.status, run.error ?? '').toBe('completed');
      if (run.requires.includes('gpu')) {
        expect(pool.get(run.worker!.pid), `gpu run ${run.id}`).toBe('worker-gpu');
        expect(pool.get(run.evaluatedBy), `evaluation of gpu run ${run.id}`).toBe('worker-gpu');
      }
    }
  });

  it('infra/k8s: the GPU worker Deployment\'s environment takes the gpu run, a worker without its labels does not', { timeout: 480_000 }, async () => {
    const groups = await k8sWorkers();
    expect(groups.map((g) => g.name)).toEqual(['aelab-worker-gpu']);
    const plain: WorkerGroup = { name: 'unlabelled', replicas: 1, env: {}, reservesGpu: false };
    const pool = await startPool('e2e-k8s-routing', [plain, ...groups]);
    const [run] = await runAll(1, 0);
    expect(run.status, run.error ?? '').toBe('completed');
    expect(pool.get(run.worker!.pid)).toBe('aelab-worker-gpu');
    expect(pool.get(run.evaluatedBy)).toBe('aelab-worker-gpu');
  });
});
