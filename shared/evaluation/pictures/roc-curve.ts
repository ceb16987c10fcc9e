import { drawLine, drawPolyline } from './draw-line.ts';
import { Legend } from './legend.ts';
import { checkPictureSize, PlotFrame } from './plot-frame.ts';
import { Raster, type Rgb } from './raster.ts';
import { seriesColour } from './series-colours.ts';

export interface RocCurveSeries {
  /** Legend text, e.g. the pathological dataset's name. */
  label: string;
  /** False-positive rates in [0, 1], one per point, in drawing order. */
  fpr: readonly number[];
  /** True-positive rates in [0, 1], as many as `fpr`. */
  tpr: readonly number[];
  /** Area under the curve, shown in the legend with three decimals. */
  auroc: number;
}

/** Options of {@link renderRocCurve}. */
export interface RocCurveOptions {
  /** Drawn in order, coloured by {@link seriesColour}. May be empty (then only the axes and the chance line). */
  curves: readonly RocCurveSeries[];
  /** Picture width in pixels, at least 160. */
  width: number;
  /** Picture height in pixels, at least 120. */
  height: number;
  /** Text above the plot. Default `'ROC'`. */
  title?: string;
}

/** Colour of the chance diagonal TPR = FPR. */
export const CHANCE_LINE_COLOUR: Rgb = [140, 140, 140];

const TICKS = [0, 0.2, 0.4, 0.6, 0.8, 1];

/** The square plot area and axes of {@link renderRocCurve} for a picture of this size. */
export function rocFrame(options: Pick<RocCurveOptions, 'width' | 'height' | 'title'>): PlotFrame {
  return new PlotFrame({
    width: options.width,
    height: options.height,
    title: options.title ?? 'ROC',
    square: true,
    x: { lo: 0, hi: 1, ticks: TICKS, label: 'false positive rate' },
    y: { lo: 0, hi: 1, ticks: TICKS, label: 'true positive rate' },
  });
}

/**
 * ROC curves on a square plot, axes 0–1 with ticks every 0.2, the chance diagonal dashed
 * grey, and a legend in the lower right (where a useful curve leaves room) with each
 * curve's AUROC. Returns an RGB 8-bit PNG of exactly `width`×`height` pixels.
 */
export function renderRocCurve(options: RocCurveOptions): Uint8Array {
  checkPictureSize('renderRocCurve', options.width, options.height);
  options.curves.forEach(checkCurve);
  const frame = rocFrame(options);
  const raster = new Raster(options.width, options.height);
  frame.drawBackground(raster);
  drawLine(raster, frame.xToPixel(0), frame.yToPixel(0), frame.xToPixel(1), frame.yToPixel(1), CHANCE_LINE_COLOUR, { dash: [6, 4] });
  options.curves.forEach((curve, i) => {
    drawPolyline(raster, curve.fpr.map((v) => frame.xToPixel(v)), curve.tpr.map((v) => frame.yToPixel(v)), seriesColour(i), { thickness: 2 });
  });
  frame.drawAxes(raster);
  const legend = new Legend(
    options.curves.map((curve, i) => ({ label: `${curve.label}  AUROC ${curve.auroc.toFixed(3)}`, colour: seriesColour(i) })),
    { scale: frame.textScale, swatch: 'line', layout: 'column' },
  );
  legend.draw(raster, frame.right - 4 - legend.width, frame.bottom - 4 - legend.height);
  return raster.toPng();
}

function checkCurve(curve: RocCurveSeries, index: number): void {
  const name = `renderRocCurve: curves[${index}] (${JSON.stringify(curve.label)})`;
  if (curve.fpr.length !== curve.tpr.length) throw new Error(`${name}: fpr has ${curve.fpr.length} values but tpr has ${curve.tpr.length}`);
  if (curve.fpr.length === 0) throw new Error(`${name}: fpr and tpr are empty; a curve needs at least one point`);
  for (const field of ['fpr', 'tpr'] as const) {
    const bad = curve[field].findIndex((v) => !(v >= 0 && v <= 1));
    if (bad >= 0) throw new Error(`${name}: ${field}[${bad}] = ${curve[field][bad]} is not a rate in [0, 1]`);
  }
  if (!Number.isFinite(curve.auroc)) throw new Error(`${name}: auroc must be a finite number, got ${curve.auroc}`);
}
