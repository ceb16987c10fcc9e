import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../shared/contracts/run-record.ts';
import type { EvaluationRecord, TaskResult } from '../../shared/evaluation/evaluation-record.ts';
import { useAelabStack } from '../support/use-aelab-stack.ts';

type EvaluationView = EvaluationRecord & { results: TaskResult[] | null; links: { results: string; scores: string } };

describe('evaluation after training: scores, metrics and pictures of the smoke runs', () => {
  const stack = useAelabStack({ label: 'e2e-eval', workers: 1, env: { AELAB_BACKEND: 'auto' } });

  async function trainAndEvaluate(configPath: string): Promise<EvaluationView> {
    const { body: run } = await stack().request<RunRecord>('POST', '/api/v1/runs', { configPath });
    const finished = await stack().waitFor(async () => {
      const current = await stack().run(run.id);
      return current.status === 'completed' || current.status === 'failed' ? current : null;
    }, 180_000, `run ${run.id} to finish`);
    expect(finished.status).toBe('completed');
    // The config has downstream_tasks, so the worker queued the evaluation itself.
    return stack().waitFor(async () => {
      const evaluation = await stack().request<EvaluationView>('GET', `/api/v1/evaluations/${run.id}-auto`);
      return evaluation.status === 200 && (evaluation.body.status === 'completed' || evaluation.body.status === 'failed') ? evaluation.body : null;
    }, 180_000, `the evaluation of ${run.id}`);
  }

  it.each(['configs/smoke/baseline.yaml', 'configs/smoke/morphaeus.yaml'])('%s: trained, then evaluated on normal vs opacity phantoms', { timeout: 400_000 }, async (configPath) => {
    const evaluation = await trainAndEvaluate(configPath);
    expect(evaluation.error).toBeNull();
    expect(evaluation.status).toBe('completed');
    expect(evaluation.scored).toBe(32);
    const [task] = evaluation.results ?? [];
    expect(task.task).toBe('phantoms');
    const [opacity] = task.datasets;
    console.log(`e2e: ${configPath} phantoms AUROC ${opacity.auroc.toFixed(3)}, AUPRC ${opacity.auprc.toFixed(3)}, pixel AUROC ${opacity.pixel_auroc?.toFixed(3)}, best Dice ${opacity.best_dice?.toFixed(3)}`);
    for (const metric of [opacity.auroc, opacity.auprc, opacity.fpr95, opacity.fpr99, task.normal_ssim]) {
      expect(metric).toBeGreaterThanOrEqual(0);
      expect(metric).toBeLessThanOrEqual(1);
    }
    expect(opacity.pixel_auroc).not.toBeNull();

    const scores = await (await fetch(`${stack().baseUrl}${evaluation.links.scores}`)).text();
    const rows = scores.trim().split('\n');
    expect(rows[0]).toBe('task,dataset,file,label,score');
    expect(rows).toHaveLength(33);
    expect(rows.filter((row) => row.split(',')[3] === '1')).toHaveLength(16);

    const strips = task.pictures.filter((picture) => !picture.endsWith('roc.png') && !picture.endsWith('histogram.png'));
    expect(strips.length).toBeGreaterThanOrEqual(8);
    for (const picture of [strips[0], ...task.pictures.filter((p) => p.endsWith('roc.png') || p.endsWith('histogram.png'))]) {
      const response = await fetch(`${stack().baseUrl}${picture}`);
      expect(response.status, picture).toBe(200);
      const png = decode(new Uint8Array(await response.arrayBuffer()));
      expect(png.width, picture).toBeGreaterThan(100);
      expect(png.height, picture).toBeGreaterThan(100);
    }
    const strip = decode(new Uint8Array(await (await fetch(`${stack().baseUrl}${strips[0]}`)).arrayBuffer()));
    // input | (prior) | reconstruction | residual | (deformation): MorphAEus has two panels more.
    const panels = configPath.includes('morphaeus') ? 5 : 3;
    expect(strip.width).toBeGreaterThanOrEqual(panels * 128);
  });

  it('refuses an evaluation of an unknown run or task, naming the field', async () => {
    const unknownRun = await stack().request<{ error: string }>('POST', '/api/v1/evaluations', { runId: 'r-none' });
    expect(unknownRun.status).toBe(400);
    expect(unknownRun.body.error).toMatch(/runId/);
    const runs = await stack().request<{ runs: RunRecord[] }>('GET', '/api/v1/runs');
    const unknownTask = await stack().request<{ error: string }>('POST', '/api/v1/evaluations', { runId: runs.body.runs[0].id, tasks: ['covid'] });
    expect(unknownTask.status).toBe(400);
    expect(unknownTask.body.error).toMatch(/tasks: .*"covid"/);
  });

  it('compares the evaluated runs in one methods × tasks table', async () => {
    const runs = await stack().request<{ runs: RunRecord[] }>('GET', '/api/v1/runs?status=completed');
    const ids = runs.body.runs.map((run) => run.id).join(',');
    const table = await fetch(`${stack().baseUrl}/api/v1/compare?runs=${ids}&format=markdown`);
    const text = await table.text();
    expect(table.status, text).toBe(200);
    expect(text).toContain('| smoke-baseline |');
    expect(text).toContain('| smoke-morphaeus |');
    expect(text).toContain('phantoms/Opacity_phantoms');
  });
});
