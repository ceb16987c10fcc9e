import { readdir, readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { AelabStack } from '../support/aelab-stack.ts';
import { finished, slowSyntheticRun, submitRun } from '../support/fault-runs.ts';

/** Pids of the training children the worker process `workerPid` has now (from /proc). */
async function trainingChildrenOf(workerPid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const [stat, command] = await Promise.all([readFile(`/proc/${entry}/stat`, 'utf8'), readFile(`/proc/${entry}/cmdline`, 'utf8')]).catch(() => ['', '']);
    // The parent pid is the second field after the command name in parentheses.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (parent === workerPid && command.includes('train-child')) pids.push(Number(entry));
  }
  return pids;
}

const quickRun = () => slowSyntheticRun({ epochs: 1, secondsPerEpoch: 0 });

describe('warm training children replaced when they cannot be trusted with the next job', () => {
  let stack: AelabStack | undefined;
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  it('a child killed between jobs: the next run trains on a fresh child, in its first attempt, on the same worker', { timeout: 300_000 }, async () => {
    stack = await AelabStack.start({ label: 'faults-warm-killed', workers: 1 });
    const workerPid = stack.workers[0].child.pid!;
    expect((await finished(stack, await submitRun(stack, quickRun()))).status).toBe('completed');
    const [warm] = await trainingChildrenOf(workerPid);
    expect(warm).toBeDefined();
    process.kill(warm, 'SIGKILL');

    const next = await finished(stack, await submitRun(stack, quickRun()));
    expect(next).toMatchObject({ status: 'completed', attempts: 1, worker: { pid: workerPid } });
    const now = await trainingChildrenOf(workerPid);
    expect(now).toHaveLength(1);
    expect(now).not.toContain(warm);
  });

  it('over AELAB_CHILD_MAX_RSS_MB: the child is replaced after each job and every run completes', { timeout: 300_000 }, async () => {
    stack = await AelabStack.start({ label: 'faults-warm-rss', workers: 1, env: { AELAB_CHILD_MAX_RSS_MB: '1' } });
    const workerPid = stack.workers[0].child.pid!;
    const children: number[][] = [];
    for (let run = 0; run < 2; run += 1) {
      expect((await finished(stack, await submitRun(stack, quickRun()))).status).toBe('completed');
      await stack.waitFor(async () => ((await trainingChildrenOf(workerPid)).length === 1 ? true : null), 60_000, 'the replacement child');
      children.push(await trainingChildrenOf(workerPid));
    }
    expect(children[1]).not.toEqual(children[0]);
    expect(stack.workers[0].output()).toContain('over AELAB_CHILD_MAX_RSS_MB=1');
  });
});
