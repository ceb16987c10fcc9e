import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { mapConcurrently } from '../../../shared/runs/map-concurrently.ts';

describe('mapConcurrently', () => {
  it('returns the results in the order of the items, whatever order they finish in', async () => {
    const items = Array.from({ length: 40 }, (_, i) => i);
    const results = await mapConcurrently(items, 6, async (item) => {
      await sleep((item * 7) % 5);
      return item * 2;
    });
    expect(results).toEqual(items.map((i) => i * 2));
  });

  it('never has more than `limit` calls in flight, and uses all of them', async () => {
    let inFlight = 0;
    let most = 0;
    await mapConcurrently(Array.from({ length: 50 }, (_, i) => i), 4, async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await sleep(2);
      inFlight -= 1;
    });
    expect(most).toBe(4);
  });

  it('throws the first error and starts no further item after it', async () => {
    const started: number[] = [];
    const run = mapConcurrently(Array.from({ length: 100 }, (_, i) => i), 2, async (item) => {
      started.push(item);
      await sleep(1);
      if (item === 5) throw new Error('run.json of item 5 is unreadable');
      return item;
    });
    await expect(run).rejects.toThrow('run.json of item 5 is unreadable');
    await sleep(20);
    expect(Math.max(...started)).toBeLessThanOrEqual(6);
  });

  it('maps an empty list to an empty list and refuses a limit below 1', async () => {
    expect(await mapConcurrently([], 3, async () => 1)).toEqual([]);
    await expect(mapConcurrently([1], 0, async () => 1)).rejects.toThrow('limit must be a positive integer, got 0');
  });
});
