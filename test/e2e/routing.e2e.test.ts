import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import type { RunRecord } from '../../shared/contracts/run-record.ts';
import type { SweepRecord, TrialView } from '../../shared/sweep/sweep-record.ts';
import { runCli } from '../apps/cli/helpers/run-cli.ts';
import { AelabStack } from '../support/aelab-stack.ts';
import { launchChromium } from '../support/browser.ts';

type RunView = RunRecord & { waitingFor: string | null };
type SweepView = SweepRecord & { trials: Array<TrialView & { waitingFor: string | null }> };

const SYNTHETIC = fileURLToPath(new URL('../../configs/smoke/synthetic.yaml', import.meta.url));

/** The synthetic run (no real training) with top-level `extra` YAML such as `requires: [gpu]`. */
async function syntheticConfig(extra: string): Promise<string> {
  return `${extra}\n${await readFile(SYNTHETIC, 'utf8')}`;
}

describe('routing: labels, priorities and a fair share (real API and worker processes)', () => {
  let stack: AelabStack | undefined;
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  async function submit(extra: string, overrides: Record<string, unknown> = {}, token?: string): Promise<RunView> {
    const { status, body } = await stack!.request<RunView>('POST', '/api/v1/runs', { config: await syntheticConfig(extra), overrides }, token);
    expect(status, JSON.stringify(body)).toBe(202);
    return body;
  }

  /** The runs table and the run page show the submitter and why the run waits. */
  async function expectUiShowsWait(runId: string, reason: string): Promise<void> {
    const browser = await launchChromium();
    onTestFinished(() => browser.close());
    const page = await browser.newPage();
    await page.goto(`${stack!.baseUrl}/`);
    const row = page.locator(`tr[data-run-id="${runId}"]`);
    await expect.poll(() => row.locator('[data-waiting-for]').textContent(), { timeout: 20_000 }).toBe(`waiting for ${reason}`);
    expect(await row.textContent()).toContain('anonymous');
    await page.goto(`${stack!.baseUrl}/runs/${runId}`);
    await expect.poll(() => page.locator('body').textContent(), { timeout: 20_000 }).toMatch(new RegExp(`waiting for\\s*${reason}`));
    expect(await page.locator('body').textContent()).toMatch(/submitted by\s*anonymous/);
  }

  async function finished(id: string): Promise<RunView> {
    return stack!.waitFor(async () => {
      const run = (await stack!.run(id)) as RunView;
      return run.status === 'completed' || run.status === 'failed' ? run : null;
    }, 120_000, `run ${id} to finish`);
  }

  it('a gpu run waits, saying for what, while a plain run completes; a gpu worker started later takes it', { timeout: 240_000 }, async () => {
    stack = await AelabStack.start({ label: 'e2e-labels', workers: 1 });
    const plainWorker = stack.workers[0].child.pid;
    const gpuRun = await submit('requires: [gpu]');
    const plainRun = await submit('');
    expect(gpuRun.requires).toEqual(['gpu']);

    const plainDone = await finished(plainRun.id);
    expect(plainDone.status).toBe('completed');
    expect(plainDone.worker?.pid).toBe(plainWorker);
    const waiting = (await stack.run(gpuRun.id)) as RunView;
    expect(waiting.status).toBe('queued');
    expect(waiting.waitingFor).toBe('a worker with labels gpu');
    const listed = await runCli(['runs', '--status', 'queued'], { AELAB_API_URL: stack.baseUrl });
    expect(listed.stdout).toMatch(new RegExp(`${gpuRun.id} .*anonymous +waiting for a worker with labels gpu`));
    await expectUiShowsWait(gpuRun.id, 'a worker with labels gpu');

    const gpuWorker = stack.addWorker({ AELAB_WORKER_LABELS: 'gpu' }).child.pid;
    const gpuDone = await finished(gpuRun.id);
    expect(gpuDone.status).toBe('completed');
    expect(gpuDone.worker?.pid).toBe(gpuWorker);
    expect(gpuDone.waitingFor).toBeNull();
  });

  it('a sweep that requires gpu shows why its trials wait, in the trial runs and the sweep, until a gpu worker takes them', { timeout: 240_000 }, async () => {
    stack = await AelabStack.start({ label: 'e2e-sweep-labels', workers: 1 });
    const sweepYaml = [
      'name: gpu-grid',
      'base: configs/smoke/synthetic.yaml',
      'requires: [gpu]',
      'method: grid',
      'metric: {name: val.objective, goal: minimize}',
      'max_concurrent: 2',
      'parameters:',
      '  model.params.x: {values: [0.3, 0.9]}',
    ].join('\n');
    const submitted = await stack.request<SweepView>('POST', '/api/v1/sweeps', { sweep: sweepYaml });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
    const sweepId = submitted.body.id;
    const waiting = await stack.waitFor(async () => {
      const { body } = await stack!.request<SweepView>('GET', `/api/v1/sweeps/${sweepId}`);
      return body.trials.length === 2 && body.trials.every((trial) => trial.waitingFor !== null) ? body : null;
    }, 60_000, 'both trials to be queued');
    expect(waiting.trials.map((trial) => trial.waitingFor)).toEqual(['a worker with labels gpu', 'a worker with labels gpu']);
    const trialRun = (await stack.run(waiting.trials[0].runId)) as RunView;
    expect(trialRun).toMatchObject({ status: 'queued', requires: ['gpu'], waitingFor: 'a worker with labels gpu' });

    const gpuWorker = stack.addWorker({ AELAB_WORKER_LABELS: 'gpu' }).child.pid;
    const done = await stack.waitFor(async () => {
      const { body } = await stack!.request<SweepView>('GET', `/api/v1/sweeps/${sweepId}`);
      return body.status === 'completed' || body.status === 'failed' ? body : null;
    }, 120_000, `sweep ${sweepId} to finish`);
    expect(done.status).toBe('completed');
    expect(done.trials.map((trial) => trial.waitingFor)).toEqual([null, null]);
    for (const trial of done.trials) expect(((await stack.run(trial.runId)) as RunView).worker?.pid, `trial ${trial.index} ran on the gpu worker`).toBe(gpuWorker);
  });

  it('refuses a malformed label naming the key, and accepts a label no worker has yet', async () => {
    stack = await AelabStack.start({ label: 'e2e-bad-label', workers: 0 });
    const bad = await stack.request<{ error: string }>('POST', '/api/v1/runs', { config: await syntheticConfig('requires: ["GPU!"]') });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/:1:12: requires\[0\]: expected a label.*got "GPU!"/);
    const unknown = await submit('requires: [tpu-v5]');
    expect(((await stack.run(unknown.id)) as RunView).waitingFor).toBe('a worker with labels tpu-v5');
  });

  it('on one busy worker, a low-priority run submitted first starts after one submitted high and one raised to high with POST /runs/:id/priority', { timeout: 240_000 }, async () => {
    stack = await AelabStack.start({ label: 'e2e-priority', workers: 1 });
    // Long enough to be still running while the three runs are submitted and one is raised.
    const blocker = await submit('', { 'model.params.seconds_per_epoch': 3, 'trainer.params.nr_epochs': 2 });
    await stack.waitFor(async () => ((await stack!.run(blocker.id)).status === 'running' ? true : null), 60_000, 'the first run to start');
    const low = await submit('priority: low');
    const raised = await submit('priority: low');
    const waiting = (await stack.run(low.id)) as RunView;
    expect(waiting.waitingFor).toMatch(/^a worker to be free/);

    const badPriority = await stack.request<{ error: string }>('POST', `/api/v1/runs/${raised.id}/priority`, { priority: 'urgent' });
    expect(badPriority.status).toBe(400);
    expect(badPriority.body.error).toMatch(/^body\.priority/);
    const changed = await stack.request<RunView>('POST', `/api/v1/runs/${raised.id}/priority`, { priority: 'high' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.priority).toBe('high');
    const running = await stack.request<{ error: string }>('POST', `/api/v1/runs/${blocker.id}/priority`, { priority: 'high' });
    expect(running.status).toBe(409);

    const high = await submit('priority: high');

    const [raisedDone, highDone, lowDone] = await Promise.all([raised, high, low].map((run) => finished(run.id)));
    expect(raisedDone.startedAt! < lowDone.startedAt!, 'the run raised to high started before the low one submitted earlier').toBe(true);
    expect(highDone.startedAt! < lowDone.startedAt!, 'the run submitted high started before the low one submitted earlier').toBe(true);
  });

  it('with AELAB_MAX_RUNNING_PER_USER=1, two users\' runs interleave on two workers although one submitted first', { timeout: 300_000 }, async () => {
    const tokens = { alice: 'alice-token-0123456789abcdef', bob: 'bob-token-0123456789abcdef00' };
    const folder = await mkdtemp(join(tmpdir(), 'aelab-share-tokens-'));
    const tokensFile = join(folder, 'tokens.txt');
    onTestFinished(() => rm(folder, { recursive: true, force: true }));
    await writeFile(tokensFile, `write ${tokens.alice} alice\nwrite ${tokens.bob} bob\n`);
    stack = await AelabStack.start({ label: 'e2e-share', workers: 2, env: { AELAB_MAX_RUNNING_PER_USER: '1', AELAB_API_TOKENS_FILE: tokensFile } });
    const slow = { 'model.params.seconds_per_epoch': 1, 'trainer.params.nr_epochs': 2 };
    const aliceRuns: RunView[] = [];
    for (let i = 0; i < 2; i += 1) aliceRuns.push(await submit('', slow, tokens.alice));
    const bobRuns = [await submit('', slow, tokens.bob)];
    expect(aliceRuns[0].submittedBy).toBe('alice');
    const held = (await stack.request<RunView>('GET', `/api/v1/runs/${aliceRuns[1].id}`, undefined, tokens.alice)).body;
    expect(held.waitingFor).toMatch(/^user alice has \d running.* \(AELAB_MAX_RUNNING_PER_USER=1\)$/);

    const done: RunView[] = [];
    for (const run of [...aliceRuns, ...bobRuns]) {
      done.push(
        await stack.waitFor(async () => {
          const { body } = await stack!.request<RunView>('GET', `/api/v1/runs/${run.id}`, undefined, tokens.alice);
          return body.status === 'completed' ? body : null;
        }, 120_000, `run ${run.id} to complete`),
      );
    }
    for (const user of ['alice', 'bob']) {
      const own = done.filter((run) => run.submittedBy === user).sort((a, b) => a.startedAt!.localeCompare(b.startedAt!));
      for (let i = 1; i < own.length; i += 1) {
        expect(own[i].startedAt! >= own[i - 1].finishedAt!, `${user}'s runs never overlap`).toBe(true);
      }
    }
    const bobFirst = done.find((run) => run.id === bobRuns[0].id)!;
    const aliceSecond = done.find((run) => run.id === aliceRuns[1].id)!;
    expect(bobFirst.startedAt! < aliceSecond.startedAt!, 'bob started before alice\'s second run').toBe(true);
  });
});
