import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { RunPage } from '../../shared/runs/run-repository.ts';
import { LocalArtifactStore } from '../../shared/storage/local-artifact-store.ts';
import type { SuiteSubmission } from '../../shared/suite/suite-reproduction.ts';
import type { SuiteTable } from '../../shared/suite/suite-table.ts';
import type { SuiteView } from '../../shared/suite/suite-view.ts';
import { useAelabStack } from '../support/use-aelab-stack.ts';

type Written = { name: string; seeds: number[]; methods: { label: string; config: string; overrides?: Record<string, unknown> }[] };

/** configs/suites/smoke.yaml with one epoch per run, so the whole suite trains in a minute or two. */
async function tinySmokeSuite(): Promise<Written> {
  const suite = load(await readFile('configs/suites/smoke.yaml', 'utf8')) as Written;
  return { ...suite, methods: suite.methods.map((method) => ({ ...method, overrides: { ...method.overrides, 'trainer.params.nr_epochs': 1 } })) };
}

describe('suites: one submission trains, evaluates and tabulates methods × seeds', () => {
  const stack = useAelabStack({ label: 'e2e-suite', workers: 2, env: { AELAB_BACKEND: 'auto' } });

  async function settled(name: string): Promise<SuiteView> {
    return stack().waitFor(async () => {
      const { body } = await stack().request<SuiteView>('GET', `/api/v1/suites/${name}`);
      return body.status === 'running' ? null : body;
    }, 400_000, `suite ${name} to settle`);
  }

  async function runCount(): Promise<number> {
    return (await stack().request<RunPage>('GET', '/api/v1/runs?limit=1')).body.total;
  }

  it('the smoke suite: an interrupted run is resumed by submitting again, the table has 2 methods × 2 seeds, a third submission queues nothing', { timeout: 900_000 }, async () => {
    const suite = await tinySmokeSuite();
    const first = await stack().request<SuiteSubmission>('POST', '/api/v1/suites', { suite });
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    expect(first.body.created).toHaveLength(4);
    // Two workers take two runs; the last one still waits, and cancelling it interrupts the suite.
    const interrupted = first.body.created[3];
    expect((await stack().request('POST', `/api/v1/runs/${interrupted}/cancel`)).status).toBe(200);
    const broken = await settled('smoke');
    expect(broken.status).toBe('failed');
    expect(broken.counts).toMatchObject({ done: 3, failed: 1 });

    const second = await stack().request<SuiteSubmission>('POST', '/api/v1/suites', { suite });
    expect(second.status).toBe(202);
    expect(second.body).toMatchObject({ created: [], resumed: [interrupted] });
    const finished = await settled('smoke');
    expect(finished.status).toBe('completed');
    expect(await runCount()).toBe(4);

    const stored = new LocalArtifactStore(stack().storage);
    const table = JSON.parse(await stored.readText('reproductions/smoke/table.json')) as SuiteTable;
    expect(table.suite).toBe('smoke');
    expect(table.methods.map((method) => method.method)).toEqual(['AE', 'MorphAEus']);
    for (const method of table.methods) {
      expect(method.runs).toHaveLength(2);
      const auroc = method.metrics['phantoms/Opacity_phantoms/auroc'];
      expect(auroc.n).toBe(2);
      expect(auroc.mean).toBeGreaterThanOrEqual(0);
      expect(auroc.mean).toBeLessThanOrEqual(1);
      expect(auroc.std).toBeGreaterThanOrEqual(0);
      expect(Object.keys(method.metrics)).toEqual(expect.arrayContaining(['phantoms/Opacity_phantoms/auprc', 'phantoms/Opacity_phantoms/fpr95', 'phantoms/Opacity_phantoms/best_dice', 'phantoms/Normal_phantoms/normal_ssim']));
    }
    expect(await stored.readText('reproductions/smoke/table.md')).toMatch(/\| MorphAEus \| \d\.\d{3} ± \d\.\d{3} \(2\)/);
    expect((await stored.readText('reproductions/smoke/table.csv')).split('\n')[0]).toBe('method,task,dataset,metric,mean,std,n');

    const third = await stack().request<SuiteSubmission>('POST', '/api/v1/suites', { suite });
    expect(third.status).toBe(200);
    expect(third.body).toMatchObject({ status: 'completed', created: [], resumed: [] });
    expect(third.body.unchanged).toHaveLength(4);
    expect(await runCount()).toBe(4);

    // The same through `aelab reproduce <file>`: nothing queued, the table printed, exit 0.
    const file = join(stack().storage, 'tiny-smoke.yaml');
    await writeFile(file, dump(suite));
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'apps/cli/main.ts', 'reproduce', file], { env: { ...stack().env, AELAB_API_URL: stack().baseUrl }, encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('suite smoke: 0 runs queued, 0 resumed, 4 already there');
    expect(cli.stdout).toMatch(/suite smoke: 4\/4 done, 0 evaluating, 0 running, 0 queued, 0 failed \| trained 100% \| completed/);
    expect(cli.stdout).toContain('## auroc');
    expect(await runCount()).toBe(4);
  });

  it('refuses a suite with a duplicate label or a missing config before queueing anything, naming the key', async () => {
    const before = await runCount();
    const duplicate = await stack().request<{ error: string }>('POST', '/api/v1/suites', {
      suite: 'name: dup\nseeds: [1]\nmethods:\n  - {label: AE, config: configs/smoke/baseline.yaml}\n  - {label: AE, config: configs/smoke/ae-s.yaml}\n',
      source: 'dup.yaml',
    });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.error).toMatch(/^dup\.yaml:5:\d+: methods\[1\]\.label: duplicate label "AE"/);
    const missing = await stack().request<{ error: string }>('POST', '/api/v1/suites', {
      suite: { name: 'missing', seeds: [1], methods: [{ label: 'X', config: 'configs/smoke/nope.yaml' }] },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatch(/methods\[0\]\.config: "configs\/smoke\/nope\.yaml" is not a usable experiment config: .*cannot read the config file \(ENOENT\)/);
    expect(await runCount()).toBe(before);
  });

  it('refuses a suite whose dataset files are missing on the data root, naming the CSV', async () => {
    const response = await stack().request<{ error: string }>('POST', '/api/v1/suites', {
      suite: { name: 'cxr-missing', seeds: [1], methods: [{ label: 'AE', config: 'configs/experiments/cxr/baseline.yaml' }] },
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(/methods\[0\]\.config: "configs\/experiments\/cxr\/baseline\.yaml": data missing on the data root .*\.csv/);
    expect((await stack().request('GET', '/api/v1/suites/cxr-missing')).status).toBe(404);
  });
});
