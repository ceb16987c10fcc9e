import { drawText, textHeight, textWidth } from './bitmap-font.ts';
import { drawLine } from './draw-line.ts';
import { inferno } from './inferno.ts';
import { BLACK, Raster, type Rgb } from './raster.ts';

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

/** Options of {@link renderStrip}. */
export interface StripOptions {
  /** Drawn left to right, e.g. input | prior | reconstruction | residual | deformation. */
  panels: readonly StripPanel[];
  /**
   * Each image pixel becomes a `scale`×`scale` block (nearest neighbour). Default
   * `max(1, round(128 / tallest panel height))`, about 128 pixels tall.
   */
  scale?: number;
}

/** Pixels that are NaN or infinite, in a colour that neither the grey ramp nor inferno uses. */
export const NON_FINITE_COLOUR: Rgb = [0, 255, 255];
/** Colour of the deformation grid's lines on its white panel. */
export const GRID_LINE_COLOUR: Rgb = [25, 70, 160];

/** Empty border around the strip, in pixels. */
export const STRIP_MARGIN = 8;
/** Empty space between neighbouring panels' cells, in pixels. */
export const PANEL_GAP = 12;
const TITLE_GAP = 4;
const CAPTION_GAP = 4;
const BORDER_COLOUR: Rgb = [190, 190, 190];

/** Where {@link renderStrip} puts one panel, in pixels of the strip. */
export interface StripCell {
  /** Left edge and width of the panel's cell (image, title and caption centred in it). */
  left: number;
  width: number;
  /** Top-left corner and size of the scaled image. */
  imageLeft: number;
  imageTop: number;
  imageWidth: number;
  imageHeight: number;
  /** Top row of a heat panel's colour bar (COLOUR_BAR_HEIGHT rows, as wide as the image). */
  colourBarTop: number;
  /** Lines of text under the image: the grid's largest displacement; none for other panels. */
  caption: string[];
}

/** The geometry of a strip, as {@link renderStrip} draws it. */
export interface StripLayout {
  width: number;
  height: number;
  scale: number;
  /** Font scale of titles and captions. */
  textScale: number;
  cells: StripCell[];
}

/** Rows of a heat panel's colour bar. */
export const COLOUR_BAR_HEIGHT = 8;

/**
 * The strip's geometry. Each panel sits in a cell as wide as the larger of its scaled
 * image (`width`·`scale`) and its title and caption texts, so the picture is
 * `2·STRIP_MARGIN + Σ cellWidth + (N−1)·PANEL_GAP` pixels wide; its height is the margins
 * plus one title line, the tallest scaled image and the tallest caption (colour bar with
 * labels, or the grid's displacement note). Text is at double size when images are at
 * least 96 pixels tall on screen. Throws on invalid panels, naming the panel and field.
 */
export function stripLayout(options: StripOptions): StripLayout {
  const { panels } = options;
  if (panels.length === 0) throw new Error('renderStrip: panels is empty; give at least one panel');
  panels.forEach(checkPanel);
  const scale = options.scale ?? Math.max(1, Math.round(128 / Math.max(...panels.map((p) => p.height))));
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`renderStrip: scale must be a positive integer, got ${scale}`);
  const tallest = Math.max(...panels.map((p) => p.height)) * scale;
  const textScale = tallest >= 96 ? 2 : 1;
  const line = textHeight(textScale);
  const imageTop = STRIP_MARGIN + line + TITLE_GAP;
  const captionTop = imageTop + tallest + CAPTION_GAP;
  let left = STRIP_MARGIN;
  let captionArea = 0;
  const cells = panels.map((panel): StripCell => {
    const caption = captionOf(panel);
    captionArea = Math.max(captionArea, panel.kind === 'heat' ? COLOUR_BAR_HEIGHT + CAPTION_GAP + line : caption.length * line);
    const width = Math.max(panel.width * scale, ...[panel.title, ...caption].map((text) => textWidth(text, textScale)));
    const imageLeft = left + Math.floor((width - panel.width * scale) / 2);
    const cell = { left, width, imageLeft, imageTop, imageWidth: panel.width * scale, imageHeight: panel.height * scale, colourBarTop: captionTop, caption };
    left += width + PANEL_GAP;
    return cell;
  });
  const width = left - PANEL_GAP + STRIP_MARGIN;
  const height = captionTop + (captionArea > 0 ? captionArea : -CAPTION_GAP) + STRIP_MARGIN;
  return { width, height, scale, textScale, cells };
}

/**
 * A horizontal strip of image panels with a title over each, for looking at one test
 * image's way through a model, laid out by {@link stripLayout}. Returns an RGB 8-bit PNG.
 */
export function renderStrip(options: StripOptions): Uint8Array {
  const layout = stripLayout(options);
  const { scale, textScale } = layout;
  const line = textHeight(textScale);
  const raster = new Raster(layout.width, layout.height);
  options.panels.forEach((panel, i) => {
    const cell = layout.cells[i];
    const centre = cell.left + cell.width / 2;
    drawText(raster, panel.title, centre, STRIP_MARGIN, { colour: BLACK, scale: textScale, align: 'centre' });
    raster.strokeRect(cell.imageLeft - 1, cell.imageTop - 1, cell.imageWidth + 2, cell.imageHeight + 2, BORDER_COLOUR);
    raster.blit(panelRaster(panel, scale), cell.imageLeft, cell.imageTop);
    if (panel.kind === 'heat') drawColourBar(raster, cell.imageLeft, cell.colourBarTop, cell.imageWidth, panel.max, textScale);
    cell.caption.forEach((text, row) => drawText(raster, text, centre, cell.colourBarTop + row * line, { colour: BLACK, scale: textScale, align: 'centre' }));
  });
  return raster.toPng();
}

/** One panel alone as a PNG, without title or colour bar: the gallery's tiles. */
export function renderPanel(panel: StripPanel, scale = 1): Uint8Array {
  return panelRaster(panel, scale).toPng();
}

/** The default grid spacing of a {@link GridPanel}. */
export function defaultGridSpacing(height: number, width: number): number {
  return Math.max(2, Math.round(Math.min(height, width) / 8));
}

function checkPanel(panel: StripPanel, index: number): void {
  const name = `renderStrip: panels[${index}] (${JSON.stringify(panel.title)})`;
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

function captionOf(panel: StripPanel): string[] {
  if (panel.kind !== 'grid') return [];
  let largest = 0;
  for (let p = 0; p < panel.height * panel.width; p += 1) {
    const length = Math.hypot(panel.image[2 * p], panel.image[2 * p + 1]);
    if (Number.isFinite(length)) largest = Math.max(largest, length);
  }
  // Two short lines keep the cell as narrow as a 128-pixel image at double-size text.
  return ['max |u|', `${largest.toFixed(2)} px`];
}

/** The panel's image alone, scaled up, `width·scale`×`height·scale` pixels. */
function panelRaster(panel: StripPanel, scale: number): Raster {
  const raster = new Raster(panel.width * scale, panel.height * scale);
  if (panel.kind === 'grid') {
    drawGrid(raster, panel, scale);
    return raster;
  }
  for (let r = 0; r < panel.height; r += 1) {
    for (let c = 0; c < panel.width; c += 1) {
      const v = panel.image[r * panel.width + c];
      raster.fillRect(c * scale, r * scale, scale, scale, pixelColour(panel, v));
    }
  }
  return raster;
}

function pixelColour(panel: GrayPanel | HeatPanel, v: number): Rgb {
  if (!Number.isFinite(v)) return NON_FINITE_COLOUR;
  if (panel.kind === 'heat') return inferno(v / panel.max);
  const grey = Math.round(Math.min(1, Math.max(0, v)) * 255);
  return [grey, grey, grey];
}

/**
 * Grid lines through every image pixel of their row or column, each pixel moved by its
 * displacement, so the lines bend with the field between nodes too. A node with a
 * non-finite displacement breaks its lines.
 */
function drawGrid(raster: Raster, panel: GridPanel, scale: number): void {
  const { height, width, image } = panel;
  const spacing = panel.gridSpacing ?? defaultGridSpacing(height, width);
  const first = Math.floor(spacing / 2);
  // The centre of image pixel i is at screen pixel i·scale + (scale − 1)/2.
  const at = (r: number, c: number): [number, number] | null => {
    const p = r * width + c;
    const x = (c + image[2 * p + 1]) * scale + (scale - 1) / 2;
    const y = (r + image[2 * p]) * scale + (scale - 1) / 2;
    return Number.isFinite(x) && Number.isFinite(y) ? [x, y] : null;
  };
  const join = (a: [number, number] | null, b: [number, number] | null) => {
    if (a !== null && b !== null) drawLine(raster, a[0], a[1], b[0], b[1], GRID_LINE_COLOUR);
  };
  for (let r = first; r < height; r += spacing) {
    for (let c = 1; c < width; c += 1) join(at(r, c - 1), at(r, c));
  }
  for (let c = first; c < width; c += spacing) {
    for (let r = 1; r < height; r += 1) join(at(r - 1, c), at(r, c));
  }
}

function drawColourBar(raster: Raster, left: number, top: number, width: number, max: number, textScale: number): void {
  for (let x = 0; x < width; x += 1) raster.fillRect(left + x, top, 1, COLOUR_BAR_HEIGHT, inferno(width === 1 ? 0 : x / (width - 1)));
  const labelTop = top + COLOUR_BAR_HEIGHT + CAPTION_GAP;
  drawText(raster, '0', left, labelTop, { colour: BLACK, scale: textScale });
  drawText(raster, shortNumber(max), left + width, labelTop, { colour: BLACK, scale: textScale, align: 'right' });
  const middle = shortNumber(max / 2);
  if (textWidth(middle, textScale) + 2 * textWidth('0.00', textScale) < width) {
    drawText(raster, middle, left + width / 2, labelTop, { colour: BLACK, scale: textScale, align: 'centre' });
  }
}

/** Up to three significant digits, no trailing zeros. */
function shortNumber(value: number): string {
  return String(Number(value.toPrecision(3)));
}
