import path from 'node:path';
import { expect, test } from 'vitest';
import { checkGoldenEntry, goldenEntryValues, goldenHash, goldenModelDirs, goldenRoot, type GoldenTensorEntry } from './golden-files.ts';

test('the hash H gives the README test values', () => {
  expect([0, 1, 2, 12345].map(goldenHash)).toEqual([0, 1753845952, 3507691905, 2435775735]);
});

test('the generator reproduces the check values of every entry, and a wrong scale is caught', () => {
  const dirs = goldenModelDirs(goldenRoot());
  expect(dirs.map((d) => path.basename(d.dir))).toEqual(expect.arrayContaining(['ae-s', 'baseline', 'morphaeus']));
  for (const { manifest } of dirs) {
    // `keep` entries (MorphAEus's identity grids) are what the model builds, not formula values.
    for (const entry of manifest.weights.tensors.filter((t) => t.kind !== 'keep')) {
      expect(checkGoldenEntry(entry, goldenEntryValues(entry, manifest.weights.index_multiplier))).toEqual([]);
    }
    const hashed = manifest.weights.tensors.find((t) => t.rule_id === 'hash_uniform')!;
    const wrong: GoldenTensorEntry = { ...hashed, scale: hashed.scale * 1.001 };
    expect(checkGoldenEntry(hashed, goldenEntryValues(wrong, manifest.weights.index_multiplier))).not.toEqual([]);
  }
});
