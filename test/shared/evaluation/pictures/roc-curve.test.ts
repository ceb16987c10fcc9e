import { describe, expect, it } from 'vitest';
import { CHANCE_LINE_COLOUR, renderRocCurve, rocFrame } from '../../../../shared/evaluation/pictures/roc-curve.ts';
import { seriesColour } from '../../../../shared/evaluation/pictures/series-colours.ts';
import { decodeRgb } from './decode-rgb.ts';

const perfect = { label: 'perfect', fpr: [0, 0, 1], tpr: [0, 1, 1], auroc: 1 };

describe('renderRocCurve', () => {
  it('is an RGB 8-bit PNG of the requested size, square plot or not', () => {
    const png = decodeRgb(renderRocCurve({ curves: [perfect], width: 400, height: 300 }));
    expect([png.width, png.height, png.channels, png.depth]).toEqual([400, 300, 3, 8]);
    const frame = rocFrame({ width: 400, height: 300 });
    expect(frame.right - frame.left).toBe(frame.bottom - frame.top);
  });

  it('draws the dashed chance diagonal from (0, 0) to (1, 1)', () => {
    const png = decodeRgb(renderRocCurve({ curves: [perfect], width: 240, height: 240 }));
    const frame = rocFrame({ width: 240, height: 240 });
    const near = (x: number, y: number) =>
      [-1, 0, 1].some((dx) => [-1, 0, 1].some((dy) => png.pixel(x + dx, y + dy).join() === CHANCE_LINE_COLOUR.join()));
    // Above the legend in the lower right; the dashes are 6 pixels on, 4 off.
    const samples = Array.from({ length: 60 }, (_, k) => 0.35 + (0.6 * k) / 59);
    const hits = samples.filter((t) => near(Math.round(frame.xToPixel(t)), Math.round(frame.yToPixel(t)))).length;
    expect(hits / samples.length).toBeGreaterThan(0.5);
    const offDiagonal = samples.filter((t) => near(Math.round(frame.xToPixel(t)), Math.round(frame.yToPixel(t / 2)))).length;
    expect(offDiagonal).toBe(0);
  });

  it('draws a curve through its points in the series colour', () => {
    const png = decodeRgb(renderRocCurve({ curves: [perfect], width: 240, height: 240 }));
    const frame = rocFrame({ width: 240, height: 240 });
    // The perfect classifier runs along TPR = 1; the axis frame has no top edge to hide it.
    for (const t of [0.2, 0.5, 0.8]) expect(png.pixel(Math.round(frame.xToPixel(t)), frame.top + 1)).toEqual([...seriesColour(0)]);
  });

  it('names the curve and field of bad input', () => {
    const size = { width: 240, height: 240 };
    expect(() => renderRocCurve({ ...size, curves: [{ ...perfect, tpr: [0, 1] }] })).toThrow(/curves\[0\] \("perfect"\): fpr has 3 values but tpr has 2/);
    expect(() => renderRocCurve({ ...size, curves: [{ ...perfect, fpr: [0, 1.5, 1] }] })).toThrow(/fpr\[1\] = 1.5 is not a rate in \[0, 1\]/);
    expect(() => renderRocCurve({ ...size, curves: [{ ...perfect, auroc: Number.NaN }] })).toThrow(/auroc must be a finite number/);
  });
});
