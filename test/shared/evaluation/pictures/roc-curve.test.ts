import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { SERIES_COLOURS } from '../../../../shared/evaluation/charts/chart-style.ts';
import { renderRocCurve } from '../../../../shared/evaluation/pictures/roc-curve.ts';
import { pixelsNear, tinted } from './pixel-colours.ts';

const perfect = { label: 'perfect', fpr: [0, 0, 1], tpr: [0, 1, 1], auroc: 1 };

describe('renderRocCurve: the web page\'s chart as a PNG', () => {
  it('is a PNG of the requested size', () => {
    const png = decode(renderRocCurve({ curves: [perfect], width: 400, height: 300 }));
    expect([png.width, png.height]).toEqual([400, 300]);
  });

  it('draws the grey chance diagonal and each curve in its colour', () => {
    const none = renderRocCurve({ curves: [], width: 320, height: 320 });
    const one = renderRocCurve({ curves: [perfect], width: 320, height: 320 });
    const curve = tinted(SERIES_COLOURS[1], 1);
    expect(pixelsNear(none, [140, 140, 140])).toBeGreaterThan(50);
    expect(pixelsNear(none, curve)).toBe(0);
    expect(pixelsNear(one, curve)).toBeGreaterThan(200);
  });

  it('names the curve and field of bad input', () => {
    const size = { width: 240, height: 240 };
    expect(() => renderRocCurve({ ...size, curves: [{ ...perfect, tpr: [0, 1] }] })).toThrow(/curves\[0\] \("perfect"\): fpr has 3 values but tpr has 2/);
    expect(() => renderRocCurve({ ...size, curves: [{ ...perfect, fpr: [0, 1.5, 1] }] })).toThrow(/fpr\[1\] = 1.5 is not a rate in \[0, 1\]/);
    expect(() => renderRocCurve({ ...size, curves: [{ ...perfect, auroc: Number.NaN }] })).toThrow(/auroc must be a finite number/);
  });
});
