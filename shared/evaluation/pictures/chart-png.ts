import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';

/**
 * An ECharts option drawn on the server: ECharts' SVG renderer without a DOM, then resvg
 * to a PNG of exactly `width`×`height` pixels. Fonts are the system's (the chart asks for
 * DejaVu Sans or Liberation Sans, which Debian has).
 */
export function renderChartPng(option: Parameters<echarts.ECharts['setOption']>[0], width: number, height: number): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 160 || height < 120) {
    throw new Error(`chart picture: width must be an integer ≥ 160 and height ≥ 120 pixels, got ${width}×${height}`);
  }
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(option);
    const svg = chart.renderToSVGString();
    return new Resvg(svg, { fitTo: { mode: 'width', value: width }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  } finally {
    chart.dispose();
  }
}
