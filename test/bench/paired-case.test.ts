import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_DIR } from '../../bench/bench-configs.ts';
import { imagesPerSecond, officialParamOverrides, pairedCases, type PairedTrainRow, speedRatio } from '../../bench/paired-case.ts';
import { adaptConfigToSize } from '../../bench/size-adapted-params.ts';
import { pairedTrainMarkdown } from '../../bench/vs-pytorch-table.ts';

const CONFIGS = ['aae', 'baseline', 'morphaeus'];

describe('bench:vs-pytorch cases', () => {
  it('runs the three standard cases when no grid is asked for', () => {
    expect(pairedCases(CONFIGS, {})).toEqual([
      { config: 'baseline', size: 128, batch: 8 },
      { config: 'morphaeus', size: 128, batch: 8 },
      { config: 'baseline', size: 32, batch: 64 },
    ]);
  });

  it('crosses sizes, configs and batches, every config at 128² batch 8 unless told', () => {
    expect(pairedCases(CONFIGS, { sizes: [32, 64] }).map((c) => `${c.config}@${c.size}/${c.batch}`)).toEqual([
      'aae@32/8',
      'baseline@32/8',
      'morphaeus@32/8',
      'aae@64/8',
      'baseline@64/8',
      'morphaeus@64/8',
    ]);
    expect(pairedCases(CONFIGS, { models: ['baseline'], batches: [8, 64] })).toEqual([
      { config: 'baseline', size: 128, batch: 8 },
      { config: 'baseline', size: 128, batch: 64 },
    ]);
  });

  it('builds the official model at the same reduced size as ours (five levels at 32²)', () => {
    const baseline = officialParamOverrides(adaptConfigToSize(path.join(CONFIG_DIR, 'baseline.yaml'), 32).overrides);
    expect(baseline).toEqual({ strides: [2, 2, 2, 2, 2], channels: [16, 32, 64, 128, 256] });
    const morphaeus = officialParamOverrides(adaptConfigToSize(path.join(CONFIG_DIR, 'morphaeus.yaml'), 64).overrides);
    expect(morphaeus).toMatchObject({ inshape: [64, 64], strides: [2, 2, 2, 2, 2, 2] });
    expect(officialParamOverrides(adaptConfigToSize(path.join(CONFIG_DIR, 'baseline.yaml'), 128).overrides)).toEqual({});
  });
});

describe('bench:vs-pytorch arithmetic and table', () => {
  const row: PairedTrainRow = {
    config: 'baseline',
    modelName: 'conv_autoencoder',
    size: 32,
    batch: 64,
    ours: { status: 'measured', stepSeconds: [0.5, 0.4, 2], peakRssBytes: 600 * 1024 * 1024 },
    theirs: { status: 'measured', stepSeconds: [1, 1.2, 0.8, 5], peakRssBytes: 400 * 1024 * 1024 },
    notes: ['strides shortened'],
  };

  it('rates each side by its median step and divides ours by theirs', () => {
    expect(imagesPerSecond(row.ours, 64)).toBe(128);
    expect(imagesPerSecond(row.theirs, 64)).toBeCloseTo(58.18, 2);
    expect(speedRatio(row)).toBeCloseTo(2.2, 10);
    expect(speedRatio({ ...row, theirs: { status: 'failed', reason: 'out of memory' } })).toBeNull();
  });

  it('prints images/s, peak RSS and both ratios, and the reason of a side without a number', () => {
    const [, , measured] = pairedTrainMarkdown([row]);
    expect(measured).toContain('| 128 | 58.18 | 2.20× | 600 | 400 | 1.50× |');
    const [, , failed] = pairedTrainMarkdown([{ ...row, theirs: { status: 'failed', reason: 'exit 1: a | b' } }]);
    expect(failed).toContain('| 128 | failed: exit 1: a \\| b | — |');
  });
});
