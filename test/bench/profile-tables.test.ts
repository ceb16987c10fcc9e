import { describe, expect, it } from 'vitest';
import { type CpuProfile, phaseTotals } from '../../bench/cpu-profile-phases.ts';
import { kernelTotals } from '../../bench/kernel-totals.ts';

const frame = (functionName: string, file = 'evaluate-run.ts') => ({ functionName, url: `file:///repo/shared/${file}` });

/** root → evaluateRun → readOutputs → conv (a kernel); evaluateRun → load@csv → decodePng; root → (idle). */
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)', ''), children: [2, 6] },
    { id: 2, callFrame: frame('evaluateRun'), children: [3, 5] },
    { id: 3, callFrame: frame('readOutputs'), children: [4] },
    { id: 4, callFrame: frame('conv2d', 'tf-backend-wasm.node.js') },
    { id: 5, callFrame: frame('load', 'csv-image-dataset.ts'), children: [7] },
    { id: 6, callFrame: frame('(idle)', '') },
    { id: 7, callFrame: frame('decodePng', 'index.js') },
  ],
  samples: [4, 4, 3, 7, 2, 6, 1],
  timeDeltas: [1000, 2000, 500, 4000, 250, 8000, 125],
};

describe('bench:profile tables', () => {
  it('gives each sample to the innermost named phase on its stack, the rest to "other"', () => {
    const rules = [
      { phase: 'loading', functions: ['load@csv-image-dataset.ts'] },
      { phase: 'forward', functions: ['readOutputs'] },
      { phase: 'scoring', functions: ['evaluateRun'] },
      { phase: 'idle', functions: ['(idle)'] },
      { phase: 'pictures', functions: ['renderStrip'] },
    ];
    expect(phaseTotals(profile, rules, 'other')).toEqual([
      { phase: 'loading', milliseconds: 4 },
      { phase: 'forward', milliseconds: 3.5 },
      { phase: 'scoring', milliseconds: 0.25 },
      { phase: 'idle', milliseconds: 8 },
      { phase: 'pictures', milliseconds: 0 },
      { phase: 'other', milliseconds: 0.125 },
    ]);
  });

  it('a name pinned to a file does not take a same-named function of another file', () => {
    const [loading, other] = phaseTotals(profile, [{ phase: 'loading', functions: ['load@idx-image-dataset.ts'] }], 'other');
    expect(loading.milliseconds).toBe(0);
    expect(other.milliseconds).toBe(15.875);
  });

  it('adds kernel times up by name, largest first, counting untimed calls', () => {
    const totals = kernelTotals([
      { name: 'Conv2D', kernelTimeMs: 5 },
      { name: 'Add', kernelTimeMs: 1 },
      { name: 'Conv2D', kernelTimeMs: 7.5 },
      { name: 'Mul', kernelTimeMs: { error: 'no timer' } },
    ]);
    expect(totals).toEqual([
      { name: 'Conv2D', calls: 2, milliseconds: 12.5 },
      { name: 'Add', calls: 1, milliseconds: 1 },
      { name: 'Mul', calls: 1, milliseconds: 0 },
    ]);
  });
});
