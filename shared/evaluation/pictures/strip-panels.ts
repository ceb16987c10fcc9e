import { encode } from 'fast-png';
import { inferno, type Rgb } from './inferno.ts';

interface PanelBase {
  /** Text above the panel. */
  title: string;
  /** Rows of the image. */
  height: number;
  /** Columns of the image. */
  width: number;
}

/** A greyscale image, row-major `height`×`width`; 0 is black, 1 white, values outside clamped. */
export interface GrayPanel extends PanelBase {
  kind: 'gray';
  image: Float32Array;
}

/**
 * A residual map, row-major `height`×`width`, in the {@link inferno} colour map on the
 * fixed range [0, max] (0 black, `max` and above pale yellow), with a colour bar under it.
 * A fixed `max` shared by every strip keeps colours comparable across images and runs.
 */
export interface HeatPanel extends PanelBase {
  kind: 'heat';
  image: Float32Array;
  /** Residual drawn in the brightest colour; finite and above 0. */
  max: number;
}

/**
 * A deformation field shown as a warped grid: `image` is `height`×`width`×2 interleaved,
 * channel 0 the displacement along rows (Δrow, down positive) and channel 1 along columns
 * (Δcol, right positive), in pixels, the layout of the models' `phi`. The grid node at
 * pixel (r, c) is drawn at (r + Δrow, c + Δcol). Straight lines mean no deformation; the
 * caption gives the largest displacement length.
 */
export interface GridPanel extends PanelBase {
  kind: 'grid';
  image: Float32Array;
  /**
   * Image pixels between neighbouring grid lines; the first line sits `floor(spacing/2)`
   * pixels from the top and left edges. Default `max(2, round(min(height, width) / 8))`.
   */
  gridSpacing?: number;
}

export type StripPanel = GrayPanel | HeatPanel | GridPanel;
export type PicturePanel = GrayPanel | HeatPanel;

/** Pixels that are NaN or infinite, in a colour that neither the grey ramp nor inferno uses. */
export const NON_FINITE_COLOUR: Rgb = [0, 255, 255];

/** Refuses a panel that cannot be drawn, naming it (`where`, its index and title) and the field. */
export function checkPanel(panel: StripPanel, index: number, where = 'renderStrip'): void {
  const name = `${where}: panels[${index}] (${JSON.stringify(panel.title)})`;
  for (const field of ['height', 'width'] as const) {
    if (!Number.isInteger(panel[field]) || panel[field] < 1) throw new Error(`${name}: ${field} must be a positive integer, got ${panel[field]}`);
  }
  const channels = panel.kind === 'grid' ? 2 : 1;
  const expected = panel.height * panel.width * channels;
  if (panel.image.length !== expected) {
    throw new Error(`${name}: image has ${panel.image.length} values, expected ${panel.height}×${panel.width}${channels === 2 ? '×2' : ''} = ${expected}`);
  }
  if (panel.kind === 'heat' && !(Number.isFinite(panel.max) && panel.max > 0)) throw new Error(`${name}: max must be a finite number above 0, got ${panel.max}`);
  if (panel.kind === 'grid' && panel.gridSpacing !== undefined && !(Number.isInteger(panel.gridSpacing) && panel.gridSpacing >= 1)) {
    throw new Error(`${name}: gridSpacing must be a positive integer, got ${panel.gridSpacing}`);
  }
}

/**
 * A grey or residual panel as an 8-bit RGB PNG, each image pixel a `scale`×`scale` block:
 * enlarged here rather than by the renderer, so no smoothing blurs the pixels.
 */
export function panelPng(panel: PicturePanel, scale = 1): Uint8Array {
  const width = panel.width * scale;
  const data = new Uint8Array(width * panel.height * scale * 3);
  for (let r = 0; r < panel.height; r += 1) {
    for (let c = 0; c < panel.width; c += 1) {
      const colour = pixelColour(panel, panel.image[r * panel.width + c]);
      for (let y = r * scale; y < (r + 1) * scale; y += 1) {
        for (let x = c * scale; x < (c + 1) * scale; x += 1) data.set(colour, (y * width + x) * 3);
      }
    }
  }
  return encode({ width, height: panel.height * scale, data, channels: 3, depth: 8 });
}

function pixelColour(panel: PicturePanel, v: number): Rgb {
  if (!Number.isFinite(v)) return NON_FINITE_COLOUR;
  if (panel.kind === 'heat') return inferno(v / panel.max);
  const grey = Math.round(Math.min(1, Math.max(0, v)) * 255);
  return [grey, grey, grey];
}

/** The default grid spacing of a {@link GridPanel}. */
export function defaultGridSpacing(height: number, width: number): number {
  return Math.max(2, Math.round(Math.min(height, width) / 8));
}

/** A point in image pixels (x the column, y the row, pixel centres at i + 0.5); null where the field is not finite. */
export type GridPoint = readonly [number, number] | null;

/**
 * The deformation grid's lines, rows first then columns: each line passes through every
 * image pixel of its row or column, each pixel moved by its displacement, so lines bend
 * between grid nodes too. A non-finite displacement is a null point, a break in its line.
 */
export function gridLines(panel: GridPanel): GridPoint[][] {
  const { height, width, image } = panel;
  const spacing = panel.gridSpacing ?? defaultGridSpacing(height, width);
  const first = Math.floor(spacing / 2);
  const at = (r: number, c: number): GridPoint => {
    const p = r * width + c;
    const x = c + 0.5 + image[2 * p + 1];
    const y = r + 0.5 + image[2 * p];
    return Number.isFinite(x) && Number.isFinite(y) ? [x, y] : null;
  };
  const lines: GridPoint[][] = [];
  for (let r = first; r < height; r += spacing) lines.push(Array.from({ length: width }, (_, c) => at(r, c)));
  for (let c = first; c < width; c += spacing) lines.push(Array.from({ length: height }, (_, r) => at(r, c)));
  return lines;
}

/** The longest finite displacement of the field, in pixels. */
export function largestDisplacement(panel: GridPanel): number {
  let largest = 0;
  for (let p = 0; p < panel.height * panel.width; p += 1) {
    const length = Math.hypot(panel.image[2 * p], panel.image[2 * p + 1]);
    if (Number.isFinite(length)) largest = Math.max(largest, length);
  }
  return largest;
}
