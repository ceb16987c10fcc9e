import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../shared/contracts/run-record.ts';
import type { EvaluationRecord } from '../../shared/evaluation/evaluation-record.ts';
import { LocalArtifactStore } from '../../shared/storage/local-artifact-store.ts';
import { runPaths } from '../../shared/storage/run-paths.ts';
import { AelabStack } from '../support/aelab-stack.ts';
import { reloadedValidationLoss } from '../support/reload-checkpoint.ts';

/**
 * One MorphAEus training run through the queue on the backend named by AELAB_BACKEND
 * (`npm run e2e:backend` with AELAB_BACKEND=webgpu or tensorflow; CI runs both), then its
 * evaluation on the same backend, and its checkpoint reloaded on the pure-JS backend.
 */
const BACKEND = process.env.AELAB_BACKEND ?? '';
const CHECKED_BACKENDS = ['webgpu', 'tensorflow', 'wasm', 'cpu'];
/**
 * Two epochs, the second with the morph loss on, on 16 images: Mesa's software adapter
 * trains MorphAEus at 32×32 at about 0.3 images/s on a shared 2-core machine.
 */
const SHORTER_RUN = { 'trainer.params.nr_epochs': 2, 'trainer.data_loader.params.args.train_count': 16 };

describe(`MorphAEus through the queue on AELAB_BACKEND=${BACKEND}`, () => {
  let stack: AelabStack;

  beforeAll(async () => {
    if (!CHECKED_BACKENDS.includes(BACKEND)) {
      throw new Error(`AELAB_BACKEND must name the backend to check (${CHECKED_BACKENDS.join(', ')}), got "${BACKEND}"`);
    }
    stack = await AelabStack.start({ label: `e2e-${BACKEND}`, workers: 1, env: { AELAB_BACKEND: BACKEND } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('trains and evaluates the MorphAEus smoke config, recording the backend; the checkpoint reproduces its validation loss on cpu', { timeout: 900_000 }, async () => {
    const started = Date.now();
    const submitted = await stack.request<RunRecord>('POST', '/api/v1/runs', { configPath: 'configs/smoke/morphaeus.yaml', overrides: SHORTER_RUN });
    expect(submitted.status).toBe(202);
    const id = submitted.body.id;
    const finished = await stack.waitFor(async () => {
      const run = await stack.run(id);
      return run.status === 'completed' || run.status === 'failed' ? run : null;
    }, 600_000, `run ${id} to finish`);
    console.log(`e2e ${BACKEND}: MorphAEus smoke run (${finished.totalEpochs} epochs) finished in ${((Date.now() - started) / 1000).toFixed(1)} s on ${finished.worker?.device}`);
    expect(finished.error).toBeNull();
    expect(finished.status).toBe('completed');
    expect(finished.worker?.backend).toBe(BACKEND);

    const store = new LocalArtifactStore(stack.storage);
    const stored = JSON.parse(await store.readText(runPaths(id).runRecord)) as RunRecord;
    expect(stored.worker?.device).toBe(finished.worker?.device);
    if (BACKEND === 'webgpu') {
      expect(stored.worker?.adapter?.backend).toMatch(/^(vulkan|opengles)$/);
      expect(stored.worker?.adapter?.device).toBeTruthy();
    }

    const evaluation = await stack.waitFor(async () => {
      const response = await stack.request<EvaluationRecord>('GET', `/api/v1/evaluations/${id}-auto`);
      return response.status === 200 && (response.body.status === 'completed' || response.body.status === 'failed') ? response.body : null;
    }, 300_000, `the evaluation of ${id}`);
    expect(evaluation.error).toBeNull();
    expect(evaluation.scored).toBe(32);

    const lines = (await store.readText(runPaths(id).metrics)).trim().split('\n');
    const last = JSON.parse(lines.at(-1)!) as { val: Record<string, number> };
    const reloaded = await reloadedValidationLoss(store, id, 'latest');
    expect(Math.abs(reloaded - last.val.loss_mse)).toBeLessThan(1e-4);
  });
});
