import { CHART_FONT } from '../charts/chart-style.ts';
import { INFERNO_ANCHORS } from './inferno.ts';
import { checkPanel, gridLines, largestDisplacement, panelPng, type GridPanel, type StripPanel } from './strip-panels.ts';

/** Options of a strip: its panels left to right and how much each image pixel is enlarged. */
export interface StripOptions {
  /** Drawn left to right, e.g. input | prior | reconstruction | residual | deformation. */
  panels: readonly StripPanel[];
  /**
   * Each image pixel becomes a `scale`×`scale` block (nearest neighbour). Default
   * `max(1, round(128 / tallest panel height))`, about 128 pixels tall.
   */
  scale?: number;
}

/** Empty border around the strip, in pixels. */
export const STRIP_MARGIN = 8;
/** Empty space between neighbouring panels' cells, in pixels. */
export const PANEL_GAP = 12;
/** Rows of a heat panel's colour bar. */
export const COLOUR_BAR_HEIGHT = 8;
/** Colour of the deformation grid's lines on its white panel. */
export const GRID_LINE_COLOUR = '#1946a0';
const BORDER_COLOUR = '#bebebe';
const TITLE_SIZE = 14;
const LABEL_SIZE = 12;
/** Text boxes are about 1.3 em tall in DejaVu Sans. */
const lineHeight = (size: number) => Math.ceil(size * 1.3);
const GAP = 4;

/** Where one panel sits, in pixels of the strip. */
export interface StripCell {
  /** Left edge and width of the panel's cell (image, title and caption centred in it). */
  left: number;
  width: number;
  /** Top-left corner and size of the scaled image. */
  imageLeft: number;
  imageTop: number;
  imageWidth: number;
  imageHeight: number;
  /** Top row of what lies under the image: a heat panel's colour bar, the grid's caption. */
  belowTop: number;
  /** The grid's largest displacement; empty for other panels. */
  caption: string;
}

/** The geometry of a strip. */
export interface StripLayout {
  width: number;
  height: number;
  scale: number;
  cells: StripCell[];
}

/**
 * A generous width of `text` at `size` pixels: DejaVu Sans averages under 0.62 em per
 * character, and a cell too wide costs only white space while one too narrow clips text.
 */
function textWidth(text: string, size: number): number {
  return Math.ceil(text.length * size * 0.62);
}

/**
 * The strip's geometry. Each panel sits in a cell as wide as the larger of its scaled
 * image and its texts, so the picture is `2·STRIP_MARGIN + Σ cellWidth + (N−1)·PANEL_GAP`
 * pixels wide; its height is the margins plus a title line, the tallest scaled image and
 * the tallest thing under an image. Throws on invalid panels, naming the panel and field.
 */
export function stripLayout(options: StripOptions): StripLayout {
  const { panels } = options;
  if (panels.length === 0) throw new Error('renderStrip: panels is empty; give at least one panel');
  panels.forEach((panel, index) => checkPanel(panel, index));
  const scale = options.scale ?? Math.max(1, Math.round(128 / Math.max(...panels.map((p) => p.height))));
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`renderStrip: scale must be a positive integer, got ${scale}`);
  const imageTop = STRIP_MARGIN + lineHeight(TITLE_SIZE) + GAP;
  const belowTop = imageTop + Math.max(...panels.map((p) => p.height)) * scale + GAP;
  let left = STRIP_MARGIN;
  let below = 0;
  const cells = panels.map((panel): StripCell => {
    const caption = panel.kind === 'grid' ? `max |u| ${largestDisplacement(panel).toFixed(2)} px` : '';
    if (panel.kind === 'heat') below = Math.max(below, COLOUR_BAR_HEIGHT + GAP + lineHeight(LABEL_SIZE));
    if (panel.kind === 'grid') below = Math.max(below, lineHeight(LABEL_SIZE));
    const width = Math.max(panel.width * scale, textWidth(panel.title, TITLE_SIZE), textWidth(caption, LABEL_SIZE));
    const imageLeft = left + Math.floor((width - panel.width * scale) / 2);
    const cell = { left, width, imageLeft, imageTop, imageWidth: panel.width * scale, imageHeight: panel.height * scale, belowTop, caption };
    left += width + PANEL_GAP;
    return cell;
  });
  const height = (below > 0 ? belowTop + below : belowTop - GAP) + STRIP_MARGIN;
  return { width: left - PANEL_GAP + STRIP_MARGIN, height, scale, cells };
}

function text(content: string, x: number, y: number, size: number, align: 'left' | 'center' | 'right' = 'center') {
  return { type: 'text' as const, x, y, silent: true, style: { text: content, fill: '#000000', font: `${size}px ${CHART_FONT}`, textAlign: align, textVerticalAlign: 'top' as const } };
}

/** Up to three significant digits, no trailing zeros. */
function shortNumber(value: number): string {
  return String(Number(value.toPrecision(3)));
}

/** The colour bar under a residual: inferno from 0 at its left to `max` at its right, with labels. */
function colourBar(cell: StripCell, max: number) {
  const colorStops = INFERNO_ANCHORS.map((rgb, k) => ({ offset: k / (INFERNO_ANCHORS.length - 1), color: `rgb(${rgb.join(',')})` }));
  const bar = { type: 'rect' as const, silent: true, shape: { x: cell.imageLeft, y: cell.belowTop, width: cell.imageWidth, height: COLOUR_BAR_HEIGHT }, style: { fill: { type: 'linear' as const, x: 0, y: 0, x2: 1, y2: 0, colorStops } } };
  const labelTop = cell.belowTop + COLOUR_BAR_HEIGHT + GAP;
  const right = cell.imageLeft + cell.imageWidth;
  const middle = shortNumber(max / 2);
  const middleFits = textWidth(middle, LABEL_SIZE) + 2 * textWidth('0.00', LABEL_SIZE) < cell.imageWidth;
  return [
    bar,
    text('0', cell.imageLeft, labelTop, LABEL_SIZE, 'left'),
    text(shortNumber(max), right, labelTop, LABEL_SIZE, 'right'),
    ...(middleFits ? [text(middle, cell.imageLeft + cell.imageWidth / 2, labelTop, LABEL_SIZE)] : []),
  ];
}

/** One panel's picture elements: title, frame, image or nothing (a grid is series), what lies below. */
function panelElements(panel: StripPanel, cell: StripCell, scale: number) {
  const { imageLeft: x, imageTop: y, imageWidth: width, imageHeight: height } = cell;
  const elements: object[] = [
    text(panel.title, cell.left + cell.width / 2, STRIP_MARGIN, TITLE_SIZE),
    // Half-pixel offsets put the one-pixel frame on whole pixels just outside the image.
    { type: 'rect', silent: true, shape: { x: x - 0.5, y: y - 0.5, width: width + 1, height: height + 1 }, style: { fill: 'none', stroke: BORDER_COLOUR, lineWidth: 1 } },
  ];
  if (panel.kind !== 'grid') {
    const image = `data:image/png;base64,${Buffer.from(panelPng(panel, scale)).toString('base64')}`;
    elements.push({ type: 'image', silent: true, x, y, style: { image, width, height } });
  }
  if (panel.kind === 'heat') elements.push(...colourBar(cell, panel.max));
  if (panel.kind === 'grid') elements.push(text(cell.caption, cell.left + cell.width / 2, cell.belowTop, LABEL_SIZE));
  return elements;
}

/** A deformation grid as line series on hidden axes spanning the image, rows growing downwards. */
function gridSeries(grids: { panel: GridPanel; cell: StripCell }[]) {
  return {
    grid: grids.map(({ cell }) => ({ left: cell.imageLeft, top: cell.imageTop, width: cell.imageWidth, height: cell.imageHeight, show: false })),
    xAxis: grids.map(({ panel }, i) => ({ type: 'value' as const, gridIndex: i, min: 0, max: panel.width, show: false })),
    yAxis: grids.map(({ panel }, i) => ({ type: 'value' as const, gridIndex: i, min: 0, max: panel.height, inverse: true, show: false })),
    series: grids.flatMap(({ panel }, i) =>
      gridLines(panel).map((line) => ({
        type: 'line' as const,
        xAxisIndex: i,
        yAxisIndex: i,
        data: line.map((point) => point ?? '-'),
        showSymbol: false,
        connectNulls: false,
        silent: true,
        lineStyle: { color: GRID_LINE_COLOUR, width: 1 },
      })),
    ),
  };
}

/**
 * A strip of one test image's way through a model as an ECharts option, with its size:
 * grey and residual images as picture elements (pixels enlarged beforehand, so they stay
 * sharp), titles and colour-bar labels as text, the deformation grid as line series.
 */
export function stripChart(options: StripOptions) {
  const layout = stripLayout(options);
  const cells = options.panels.map((panel, i) => ({ panel, cell: layout.cells[i] }));
  const grids = cells.filter((entry): entry is { panel: GridPanel; cell: StripCell } => entry.panel.kind === 'grid');
  const option = {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: CHART_FONT },
    graphic: { elements: cells.flatMap(({ panel, cell }) => panelElements(panel, cell, layout.scale)) },
    ...gridSeries(grids),
  };
  return { option, layout };
}
