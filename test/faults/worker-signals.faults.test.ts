import { describe, expect, it } from 'vitest';
import type { AelabStack } from '../support/aelab-stack.ts';
import { useAelabStack } from '../support/use-aelab-stack.ts';
import { epochsLogged, finished, range, runningWithEpochs, sleep, slowSyntheticRun, submitRun } from '../support/fault-runs.ts';

const alive = (stack: AelabStack) => stack.workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);

describe('workers killed or stopped in the middle of an epoch', () => {
  const stack = useAelabStack({ label: 'faults-signals', workers: 2 });

  it('SIGKILL three times in one run: the run completes, each epoch logged once, nothing lost but the epoch in progress', { timeout: 400_000 }, async () => {
    const epochs = 12;
    const id = await submitRun(stack(), slowSyntheticRun({ epochs, secondsPerEpoch: 1.5 }));
    let holderPid: number | undefined;
    for (let kill = 1; kill <= 3; kill += 1) {
      const holder = await runningWithEpochs(stack(), id, 2 * kill);
      await sleep(700); // into the next epoch's batches
      const epochAtKill = (await stack().run(id)).epoch;
      const victim = stack().workers.find((w) => w.child.pid === holder.worker?.pid);
      expect(victim, 'the worker named in run.json is one of ours').toBeDefined();
      holderPid = holder.worker?.pid;
      victim?.child.kill('SIGKILL');
      const killedAt = Date.now();
      stack().addWorker();

      const taken = await stack().waitFor(async () => {
        const run = await stack().run(id);
        return run.worker !== null && run.worker.pid !== holderPid && run.status === 'running' && run.resumedFrom !== null ? run : null;
      }, 60_000, `another worker to take the run over after kill ${kill}`);
      console.log(`faults: kill ${kill} at epoch ${epochAtKill}: taken over after ${((Date.now() - killedAt) / 1000).toFixed(1)} s, resumed from epoch ${taken.resumedFrom?.epoch}`);
      // Only the epoch in progress is trained again.
      expect(taken.resumedFrom?.epoch).toBeGreaterThanOrEqual(epochAtKill);
    }

    const run = await finished(stack(), id);
    expect(run.status).toBe('completed');
    expect(run.attempts).toBeGreaterThanOrEqual(4);
    expect(await epochsLogged(stack(), id)).toEqual(range(epochs));
  });

  it('SIGTERM: the batch finishes, a checkpoint is written mid-epoch, the job returns at once and another worker continues', { timeout: 300_000 }, async () => {
    while (alive(stack()).length < 2) stack().addWorker();
    const epochs = 8;
    const id = await submitRun(stack(), slowSyntheticRun({ epochs, secondsPerEpoch: 2 }));
    const holder = await runningWithEpochs(stack(), id, 2);
    await sleep(900); // half-way through an epoch of four batches
    const worker = stack().workers.find((w) => w.child.pid === holder.worker?.pid);
    const exited = new Promise((resolve) => worker?.child.once('exit', resolve));
    worker?.child.kill('SIGTERM');
    const stoppedAt = Date.now();
    await exited;
    expect(worker?.child.exitCode).toBe(0);

    await stack().waitFor(async () => {
      const run = await stack().run(id);
      return run.worker !== null && run.worker.pid !== holder.worker?.pid && run.status === 'running' ? run : null;
    }, 30_000, 'another worker to take the run');
    const handOverSeconds = (Date.now() - stoppedAt) / 1000;
    const taken = await stack().waitFor(async () => {
      const run = await stack().run(id);
      return run.resumedFrom !== null ? run : null;
    }, 60_000, 'the run to resume from its checkpoint');
    console.log(`faults: SIGTERM → taken by another worker after ${handOverSeconds.toFixed(1)} s, resumed from ${JSON.stringify(taken.resumedFrom)}`);
    // Under the 8 s lock: handed back at once, not found stalled (that takes the lock plus a stall check, 11 s or more).
    expect(handOverSeconds).toBeLessThan(8);
    // The preemption checkpoint is mid-epoch: the finished batches are not trained again.
    expect(taken.resumedFrom?.batch).toBeGreaterThan(0);

    const run = await finished(stack(), id);
    expect(run.status).toBe('completed');
    expect(await epochsLogged(stack(), id)).toEqual(range(epochs));
  });
});
