import { drawText, textHeight, textWidth } from './bitmap-font.ts';
import { formatTicks } from './nice-ticks.ts';
import { BLACK, type Raster, type Rgb } from './raster.ts';

/** One axis of a {@link PlotFrame}. */
export interface Axis {
  /** Data value at the left (x) or bottom (y) edge of the plot area. */
  lo: number;
  /** Data value at the right (x) or top (y) edge; greater than `lo`. */
  hi: number;
  /** Values that get a tick, a label and a light grid line; each within [lo, hi]. */
  ticks: readonly number[];
  /** Axis title, drawn below the x axis or turned up beside the y axis. */
  label: string;
}

/** Options of {@link PlotFrame}. */
export interface PlotFrameOptions {
  width: number;
  height: number;
  x: Axis;
  y: Axis;
  /** Text above the plot. Default none. */
  title?: string;
  /** Pixels reserved between the title and the plot area, e.g. for a legend. Default 0. */
  headerHeight?: number;
  /** Keep the plot area square (a ROC curve). Default false. */
  square?: boolean;
}

const MARGIN = 10;
const GAP = 6;
const TICK_LENGTH = 5;
const GRID_COLOUR: Rgb = [228, 228, 228];

/** Throws unless the picture is at least 160×120 pixels, naming the caller and the field. */
export function checkPictureSize(caller: string, width: number, height: number): void {
  if (!Number.isInteger(width) || width < 160) throw new Error(`${caller}: width must be an integer ≥ 160 pixels, got ${width}`);
  if (!Number.isInteger(height) || height < 120) throw new Error(`${caller}: height must be an integer ≥ 120 pixels, got ${height}`);
}

/** Font scale of plot text: doubled once the picture is at least 360 pixels both ways. */
export function plotTextScale(width: number, height: number): number {
  return Math.min(width, height) >= 360 ? 2 : 1;
}

/**
 * A picture-wide layout for a 2-D plot: where the plot area lies and how data maps onto
 * it, plus its decoration (title, grid lines, axes, ticks and their labels), with text at
 * {@link plotTextScale}.
 */
export class PlotFrame {
  /** Font scale of every text on the plot. */
  readonly textScale: number;
  /** Top of the space reserved by `headerHeight`, just below the title. */
  readonly headerTop: number;
  /** Plot area: columns [left, right] and rows [top, bottom], edges included. */
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
  private readonly options: PlotFrameOptions;
  private readonly xLabels: string[];
  private readonly yLabels: string[];

  constructor(options: PlotFrameOptions) {
    this.options = options;
    const { width, height, x, y } = options;
    const scale = plotTextScale(width, height);
    this.textScale = scale;
    this.xLabels = formatTicks(x.ticks);
    this.yLabels = formatTicks(y.ticks);
    const line = textHeight(scale);
    const yTickWidth = Math.max(0, ...this.yLabels.map((label) => textWidth(label, scale)));
    const lastXTick = this.xLabels.length > 0 ? textWidth(this.xLabels[this.xLabels.length - 1], scale) : 0;
    this.headerTop = MARGIN + (options.title === undefined ? 0 : line + GAP);
    let top = this.headerTop + (options.headerHeight ?? 0) + Math.ceil(line / 2);
    let left = MARGIN + line + GAP + yTickWidth + GAP + TICK_LENGTH;
    let right = width - 1 - Math.max(MARGIN, Math.ceil(lastXTick / 2) + 2);
    let bottom = height - 1 - (MARGIN + line + GAP + line + GAP + TICK_LENGTH);
    if (options.square === true) {
      const side = Math.min(right - left, bottom - top);
      left += Math.floor((right - left - side) / 2);
      right = left + side;
      top += Math.floor((bottom - top - side) / 2);
      bottom = top + side;
    }
    if (right - left < 20 || bottom - top < 20) {
      throw new Error(`the picture (${width}×${height} px) leaves no room for the plot; make it larger`);
    }
    this.left = left;
    this.right = right;
    this.top = top;
    this.bottom = bottom;
  }

  xToPixel(value: number): number {
    const { lo, hi } = this.options.x;
    return this.left + ((value - lo) / (hi - lo)) * (this.right - this.left);
  }

  yToPixel(value: number): number {
    const { lo, hi } = this.options.y;
    return this.bottom - ((value - lo) / (hi - lo)) * (this.bottom - this.top);
  }

  /** Title and light grid lines at the ticks; draw before the data. */
  drawBackground(raster: Raster): void {
    const { title, x, y, width } = this.options;
    if (title !== undefined) drawText(raster, title, width / 2, MARGIN, { colour: BLACK, scale: this.textScale, align: 'centre' });
    for (const tick of x.ticks) raster.fillRect(Math.round(this.xToPixel(tick)), this.top, 1, this.bottom - this.top + 1, GRID_COLOUR);
    for (const tick of y.ticks) raster.fillRect(this.left, Math.round(this.yToPixel(tick)), this.right - this.left + 1, 1, GRID_COLOUR);
  }

  /** Axis lines, ticks, tick labels and axis titles; draw after the data so they stay on top. */
  drawAxes(raster: Raster): void {
    const { x, y } = this.options;
    const scale = this.textScale;
    const line = textHeight(scale);
    raster.fillRect(this.left, this.bottom, this.right - this.left + 1, 1, BLACK);
    raster.fillRect(this.left, this.top, 1, this.bottom - this.top + 1, BLACK);
    x.ticks.forEach((tick, i) => {
      const px = Math.round(this.xToPixel(tick));
      raster.fillRect(px, this.bottom + 1, 1, TICK_LENGTH, BLACK);
      drawText(raster, this.xLabels[i], px, this.bottom + TICK_LENGTH + GAP, { colour: BLACK, scale, align: 'centre' });
    });
    y.ticks.forEach((tick, i) => {
      const py = Math.round(this.yToPixel(tick));
      raster.fillRect(this.left - TICK_LENGTH, py, TICK_LENGTH, 1, BLACK);
      // Digits have no descenders, so centre on their 7 inked rows rather than the 9-row cell.
      drawText(raster, this.yLabels[i], this.left - TICK_LENGTH - GAP, py - Math.floor((7 * scale) / 2), { colour: BLACK, scale, align: 'right' });
    });
    const plotMiddleX = (this.left + this.right) / 2;
    const plotMiddleY = (this.top + this.bottom) / 2;
    drawText(raster, x.label, plotMiddleX, this.bottom + TICK_LENGTH + GAP + line + GAP, { colour: BLACK, scale, align: 'centre' });
    drawText(raster, y.label, MARGIN, plotMiddleY, { colour: BLACK, scale, align: 'centre', direction: 'up' });
  }
}
