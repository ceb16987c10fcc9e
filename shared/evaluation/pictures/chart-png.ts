import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';

/** An option as the charting library takes it. */
export type ChartOption = Parameters<echarts.ECharts['setOption']>[0];

/**
 * An ECharts option drawn on the server: ECharts' SVG renderer without a DOM, then resvg
 * to a PNG of exactly `width`×`height` pixels. Fonts are the system's (the chart asks for
 * DejaVu Sans or Liberation Sans, which Debian has).
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

/** An SVG as a PNG `width` pixels wide, text in the system's DejaVu Sans where the SVG names no installed font. */
export function svgToPng(svg: string, width: number): Uint8Array {
  return new Resvg(svg, { fitTo: { mode: 'width', value: width }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
}
