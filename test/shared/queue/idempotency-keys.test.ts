import { describe, expect, it } from 'vitest';
import { IdempotencyKeyBusyError, IdempotencyKeys } from '../../../shared/queue/idempotency-keys.ts';
import { useTestRedis } from '../../support/use-test-redis.ts';

describe('IdempotencyKeys', () => {
  const redis = useTestRedis('idempotency');

  it('a duplicate that outwaits a slow first request is told to retry (409), and later gets the first id', async () => {
    const keys = new IdempotencyKeys(redis(), 200);
    let finishFirst: (id: string) => void = () => undefined;
    let claimed: () => void = () => undefined;
    const working = new Promise<void>((resolve) => (claimed = resolve));
    const first = keys.once('runs', 'slow-key', () => {
      // The first request holds the key once its work starts.
      claimed();
      return new Promise<string>((resolve) => (finishFirst = resolve));
    });
    await working;
    await expect(keys.once('runs', 'slow-key', async () => 'never')).rejects.toThrow(IdempotencyKeyBusyError);
    finishFirst('run-1');
    expect(await first).toEqual({ id: 'run-1', created: true });
    expect(await keys.once('runs', 'slow-key', async () => 'never')).toEqual({ id: 'run-1', created: false });
  });
});
