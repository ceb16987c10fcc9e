import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';

/** An option as the charting library takes it. */
export type ChartOption = Parameters<echarts.ECharts['setOption']>[0];

/**
 * An ECharts option drawn on the server: ECharts' SVG renderer without a DOM, then resvg
 * to a PNG of exactly `width`×`height` pixels, text in DejaVu Sans (see {@link svgToPng}).
 */
export function renderChartPng(option: ChartOption, width: number, height: number): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 160 || height < 120) {
    throw new Error(`chart picture: width must be an integer ≥ 160 and height ≥ 120 pixels, got ${width}×${height}`);
  }
  return svgToPng(renderChartSvg(option, width, height), width);
}

/** The SVG that ECharts' server-side renderer makes of `option` at `width`×`height` pixels. */
export function renderChartSvg(option: ChartOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

const DEJAVU_SANS = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'];
const HAS_DEJAVU_SANS = DEJAVU_SANS.every((file) => existsSync(file));
/** Characters past DejaVu Sans' scripts (CJK and beyond), which only another system font may have. */
const BEYOND_DEJAVU = /[^\u0000-\u2fff]/u;

/**
 * An SVG as a PNG `width` pixels wide. Text is set in Debian's DejaVu Sans (regular, and bold
 * for chart titles) read from its two files: reading every system font instead added 10–20 ms
 * to resvg's 50 ms for a strip (bench/strip-pictures.ts). Where those files are missing, or
 * the text needs characters DejaVu Sans lacks, resvg reads the system's fonts.
 */
export function svgToPng(svg: string, width: number): Uint8Array {
  const font = HAS_DEJAVU_SANS && !BEYOND_DEJAVU.test(svg)
    ? { loadSystemFonts: false, fontFiles: DEJAVU_SANS, defaultFontFamily: 'DejaVu Sans' }
    : { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' };
  return new Resvg(svg, { fitTo: { mode: 'width', value: width }, font }).render().asPng();
}
