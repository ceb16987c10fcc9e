import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../shared/contracts/run-record.ts';
import { AelabStack } from '../support/aelab-stack.ts';
import { launchChromium, logIn, screenshot } from '../support/browser.ts';
import { slowSyntheticRun } from '../support/fault-runs.ts';

const WRITE = 'ui-write-4c1f7a9e2b6d8f0a3c5e';
const READ = 'ui-read-8b2e6d0f4a7c1e9b3d5f';

/** Two evaluated runs of the baseline AE on phantoms, differing in seed only: one method, two columns. */
/** Three synthetic trials under ASHA (rungs at epochs 1 and 3): cheap, and every part of the sweep page has something to show. */
const SWEEP = {
  name: 'ui-asha',
  base: 'configs/smoke/synthetic.yaml',
  method: 'grid',
  metric: { name: 'val.objective', goal: 'minimize' },
  max_concurrent: 3,
  early_terminate: { type: 'asha', min_epochs: 1, reduction_factor: 3, max_epochs: 3 },
  parameters: { 'trainer.params.optimizer_params.lr': { values: [1e-4, 1e-3, 1e-2] }, 'model.params.x': { values: [0.7] } },
};

const evaluatedRun = (seed: number) => ({ configPath: 'configs/smoke/baseline.yaml', overrides: { seed, 'trainer.params.nr_epochs': 6 } });

describe('the web UI in a real browser, on a real API, Redis and worker', () => {
  let stack: AelabStack;
  let folder: string;
  let browser: Browser;
  let writer: BrowserContext;
  let reader: BrowserContext;
  let slowRun: string;
  let evaluated: string[];

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'aelab-web-ui-e2e-'));
    const tokensFile = join(folder, 'tokens');
    await writeFile(tokensFile, `read ${READ} viewer\n`);
    stack = await AelabStack.start({ label: 'e2e-web-ui', workers: 1, apiToken: WRITE, env: { AELAB_API_TOKENS_FILE: tokensFile, AELAB_BACKEND: 'auto' } });
    browser = await launchChromium();
    writer = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    reader = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const submit = async (body: unknown) => {
      const { status, body: run } = await stack.request<RunRecord>('POST', '/api/v1/runs', body, WRITE);
      if (status !== 202) throw new Error(`POST /api/v1/runs → ${status}`);
      return run.id;
    };
    // The slow run goes first, so it is training while the runs page watches it.
    slowRun = await submit(slowSyntheticRun({ epochs: 4, secondsPerEpoch: 3 }));
    evaluated = [await submit(evaluatedRun(2109)), await submit(evaluatedRun(7))];
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await rm(folder, { recursive: true, force: true });
  });

  it('logs in with a token into an HttpOnly, SameSite=Strict cookie; the runs page follows a run without reloading', { timeout: 180_000 }, async () => {
    const page = await writer.newPage();
    await page.goto(`${stack.baseUrl}/`);
    await page.locator('#token').waitFor();
    await screenshot(page, 'login');
    await logIn(page, stack.baseUrl, WRITE);
    const [cookie] = await writer.cookies();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate(() => document.cookie)).toBe('');

    const row = page.locator(`tr[data-run-id="${slowRun}"]`);
    await row.waitFor();
    await page.evaluate(() => Object.assign(window, { notReloaded: true }));
    const epochCell = row.locator('.progress-cell .epochs');
    await expect.poll(() => epochCell.textContent(), { timeout: 60_000 }).toMatch(/batch/);
    const first = await epochCell.textContent();
    await expect.poll(() => epochCell.textContent(), { timeout: 60_000 }).not.toBe(first);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await expect.poll(() => row.getByRole('button', { name: 'Cancel' }).count()).toBe(1);
    await expect.poll(() => page.getByRole('button', { name: 'New run' }).count()).toBe(1);
    await screenshot(page, 'runs');
  });

  it('a read token sees no submit or cancel controls, and a forged mutation is refused', { timeout: 120_000 }, async () => {
    const page = await reader.newPage();
    await logIn(page, stack.baseUrl, READ);
    await page.locator(`tr[data-run-id="${slowRun}"]`).waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'New run' }).count()).toBe(0);
    await expect.poll(() => page.getByRole('button', { name: /cancel/i }).count()).toBe(0);
    await expect.poll(() => page.locator('#session').textContent()).toContain('read-only');
    const forged = await page.evaluate(async (runId) => {
      const post = (path: string, body: unknown) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.status);
      return { submit: await post('/api/v1/runs', { configPath: 'configs/smoke/synthetic.yaml' }), cancel: await post(`/api/v1/runs/${runId}/cancel`, {}) };
    }, slowRun);
    expect(forged).toEqual({ submit: 403, cancel: 403 });
    expect((await stack.run(slowRun, WRITE)).status).not.toBe('cancelled');
    await page.goto(`${stack.baseUrl}/runs/${slowRun}`);
    await page.locator('dd[data-fact="epoch"]').waitFor();
    await expect.poll(() => page.getByRole('button', { name: /cancel/i }).count()).toBe(0);
  });

  it('the submit form shows the API\'s error at the line of pasted YAML', { timeout: 60_000 }, async () => {
    const page = await writer.newPage();
    await page.goto(`${stack.baseUrl}/`);
    await page.getByRole('button', { name: 'New run' }).click();
    await page.getByLabel('from pasted YAML').check();
    const yaml = (await readFile('configs/smoke/baseline.yaml', 'utf8')).replace('lr: 1.0e-3', 'lr: fast');
    await page.getByLabel('config YAML').fill(yaml);
    await page.getByRole('button', { name: 'Submit run' }).click();
    const marked = page.locator('.yaml-line.marked');
    await marked.waitFor();
    expect(await marked.textContent()).toContain('lr: fast');
    await expect.poll(() => page.locator('.submit-error .error').textContent()).toContain('optimizer_params.lr');
    await screenshot(page, 'submit-error');
  });

  it('the run page shows curves, evaluation images that load and the AUROC of results.json', { timeout: 600_000 }, async () => {
    const [runId] = evaluated;
    const results = await stack.waitFor(async () => {
      const evaluation = await stack.request<{ status: string; results: { datasets: { auroc: number }[] }[] | null }>('GET', `/api/v1/evaluations/${runId}-auto`, undefined, WRITE);
      return evaluation.body?.status === 'completed' ? evaluation.body.results : null;
    }, 480_000, `the evaluation of ${runId}`);
    const page = await writer.newPage();
    await page.goto(`${stack.baseUrl}/runs/${runId}`);
    await page.locator('.evaluation table.metrics').waitFor({ timeout: 30_000 });
    expect(await page.locator('.metric-charts .chart canvas').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('.evaluation .chart canvas').count()).toBeGreaterThanOrEqual(2);
    await expect.poll(() => page.locator('td[data-metric="auroc"]').first().textContent()).toBe(results![0].datasets[0].auroc.toFixed(3));
    const strips = page.locator('img.strip');
    expect(await strips.count()).toBeGreaterThanOrEqual(8);
    await expect.poll(() => strips.evaluateAll((images) => images.filter((image) => (image as HTMLImageElement).naturalWidth === 0).length)).toBe(0);
    await screenshot(page, 'run');
    await strips.first().click();
    await page.locator('.lightbox img').waitFor();
    expect(await page.locator('.lightbox img').evaluate((image) => (image as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  });

  it('an unknown run id gives a page that says so, not a server error', { timeout: 60_000 }, async () => {
    const page = await writer.newPage();
    const response = await page.goto(`${stack.baseUrl}/runs/r-no-such-run`);
    expect(response?.status()).toBeLessThan(500);
    await expect.poll(() => page.locator('.not-found').textContent()).toContain('There is no run with the id "r-no-such-run"');
  });

  it('the compare page shows the methods table and a gallery column per chosen run', { timeout: 600_000 }, async () => {
    for (const runId of evaluated) {
      await stack.waitFor(async () => {
        const evaluation = await stack.request<{ status: string }>('GET', `/api/v1/evaluations/${runId}-auto`, undefined, WRITE);
        return evaluation.body?.status === 'completed' ? true : null;
      }, 480_000, `the evaluation of ${runId}`);
    }
    const page = await writer.newPage();
    await page.goto(`${stack.baseUrl}/compare?runs=${evaluated.join(',')}`);
    await page.locator('table.gallery').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('table.gallery th.gallery-run').count()).toBe(evaluated.length);
    await expect.poll(() => page.locator('table.compare tbody tr').count()).toBe(1);
    await expect.poll(() => page.locator('table.compare tbody td.mono').first().textContent()).toContain('±');
    const tiles = page.locator('table.gallery img.tile');
    await expect.poll(() => tiles.evaluateAll((images) => images.filter((image) => (image as HTMLImageElement).naturalWidth === 0).length)).toBe(0);
    expect(await tiles.count()).toBeGreaterThanOrEqual(8 * (1 + 2 * evaluated.length));
    await page.locator('.metric-charts .chart canvas').first().waitFor();
    await screenshot(page, 'compare');
  });

  it('the sweep page shows the leaderboard, the objective over time, parallel coordinates and the rungs', { timeout: 300_000 }, async () => {
    const { body: sweep } = await stack.request<{ id: string }>('POST', '/api/v1/sweeps', { sweep: SWEEP }, WRITE);
    await stack.waitFor(async () => ((await stack.request<{ status: string }>('GET', `/api/v1/sweeps/${sweep.id}`, undefined, WRITE)).body.status === 'completed' ? true : null), 240_000, 'the sweep');
    const page: Page = await writer.newPage();
    await page.goto(`${stack.baseUrl}/sweeps/${sweep.id}`);
    await page.locator('section.card table.metrics tbody tr').first().waitFor();
    await expect.poll(() => page.locator('section.card').first().locator('tbody tr').count()).toBe(3);
    // Rung 1 has all three trials; the best third went on to epoch 3.
    await expect.poll(() => page.locator('section.card').last().locator('tbody tr').count()).toBe(2);
    expect(await page.locator('.chart canvas').count()).toBe(3);
    await screenshot(page, 'sweep');
  });

  it('Cancel in the runs table cancels the run after a confirmation, and the row says so without a reload', { timeout: 120_000 }, async () => {
    const { body: run } = await stack.request<RunRecord>('POST', '/api/v1/runs', slowSyntheticRun({ epochs: 50, secondsPerEpoch: 3 }), WRITE);
    const page = await writer.newPage();
    await page.goto(`${stack.baseUrl}/`);
    const row = page.locator(`tr[data-run-id="${run.id}"]`);
    await row.waitFor();
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await row.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => row.locator('.badge').first().textContent(), { timeout: 60_000 }).toBe('cancelled');
    expect(asked).toContain(run.id);
    expect((await stack.run(run.id, WRITE)).status).toBe('cancelled');
  });
});

describe('the web UI of an API without tokens', () => {
  let stack: AelabStack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await AelabStack.start({ label: 'e2e-web-ui-open', workers: 0 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('is open: no login form, the runs page with its submit control at once', { timeout: 60_000 }, async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.baseUrl}/`);
    await expect.poll(() => page.locator('#session').textContent()).toContain('open API (no tokens)');
    await expect.poll(() => page.getByRole('button', { name: 'New run' }).count()).toBe(1);
    expect(await page.locator('#token').count()).toBe(0);
  });
});
