import { describe, expect, it } from 'vitest';
import { noticingAppends } from '../../../apps/worker/appends-noticed.ts';
import type { LocalArtifactStore } from '../../../shared/storage/local-artifact-store.ts';
import { useTempStore } from '../../shared/ml/training/helpers/temp-store.ts';

describe('noticingAppends: a store that tells when a line is appended to one key', () => {
  let store: LocalArtifactStore;
  useTempStore((fresh) => (store = fresh.store));

  it('hands over each line of that key once it is in storage, and only those', async () => {
    const noticed: { line: string; stored: Promise<string> }[] = [];
    const noticing = noticingAppends(store, 'runs/r/metrics.jsonl', (line) => noticed.push({ line, stored: store.readText('runs/r/metrics.jsonl') }));
    await noticing.appendLine('runs/r/metrics.jsonl', '{"epoch":0}');
    await noticing.appendLine('runs/r/other.log', 'x');
    await noticing.appendLine('runs/r/metrics.jsonl', '{"epoch":1}');
    expect(noticed.map((n) => n.line)).toEqual(['{"epoch":0}', '{"epoch":1}']);
    expect(await noticed[0].stored).toContain('{"epoch":0}\n');
    expect(await store.readText('runs/r/metrics.jsonl')).toBe('{"epoch":0}\n{"epoch":1}\n');
  });

  it('is the same store in every other respect: writes, reads, aliases and its location', async () => {
    const noticing = noticingAppends(store, 'runs/r/metrics.jsonl', () => undefined);
    expect(noticing.location).toBe(store.location);
    await noticing.write('runs/r/checkpoints/v1/state.json', '{}');
    await noticing.pointTo('runs/r/checkpoints/latest', 'runs/r/checkpoints/v1');
    expect(await store.resolveAlias('runs/r/checkpoints/latest')).toBe('runs/r/checkpoints/v1');
    expect(await noticing.readText('runs/r/checkpoints/v1/state.json')).toBe('{}');
    expect(await noticing.list('runs/r')).toEqual(['checkpoints']);
  });
});
