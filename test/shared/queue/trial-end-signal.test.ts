import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrialEndSignal } from '../../../shared/queue/trial-end-signal.ts';
import { useTestRedis } from '../../support/use-test-redis.ts';

describe('TrialEndSignal: a sweep controller wakes when one of its trials ends', () => {
  const publisher = useTestRedis('trial-end');
  let signal: TrialEndSignal;

  beforeAll(async () => {
    signal = new TrialEndSignal(publisher().duplicate());
    await signal.start();
  });
  afterAll(() => signal.close());

  /** Which of the two settles first: the wait, or a timer far longer than a Redis round trip. */
  const settlesFirst = (wait: Promise<void>, ms: number) =>
    Promise.race([wait.then(() => 'signal'), new Promise((resolve) => setTimeout(() => resolve('timer'), ms))]);

  it('wakes the waiting controller of that sweep when the end is published, not the others', async () => {
    const mine = signal.next('sweep-a', signal.heard('sweep-a'), 60_000);
    const other = signal.next('sweep-b', signal.heard('sweep-b'), 60_000);
    await TrialEndSignal.publish(publisher(), 'sweep-a');
    expect(await settlesFirst(mine, 5_000)).toBe('signal');
    expect(await settlesFirst(other, 300)).toBe('timer');
    signal.wakeAll();
    await other;
  });

  it("an acknowledged trial job wakes the sweep waiting for acknowledgements, not its controller", async () => {
    const acknowledgement = signal.next('sweep-e', signal.heard('sweep-e', 'acknowledged'), 60_000, 'acknowledged');
    const controller = signal.next('sweep-e', signal.heard('sweep-e'), 60_000);
    await TrialEndSignal.publish(publisher(), 'sweep-e', 'acknowledged');
    expect(await settlesFirst(acknowledgement, 5_000)).toBe('signal');
    expect(await settlesFirst(controller, 300)).toBe('timer');
    signal.wakeAll();
    await controller;
  });

  it('does not wait at all for an end heard during the controller pass', async () => {
    const heard = signal.heard('sweep-c');
    await TrialEndSignal.publish(publisher(), 'sweep-c');
    await expect.poll(() => signal.heard('sweep-c')).toBe(heard + 1);
    expect(await settlesFirst(signal.next('sweep-c', heard, 60_000), 100)).toBe('signal');
  });

  it('looks again after the recheck time when no signal comes (a missed message)', async () => {
    expect(await settlesFirst(signal.next('sweep-d', signal.heard('sweep-d'), 50), 5_000)).toBe('signal');
  });
});
