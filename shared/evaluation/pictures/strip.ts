import { renderChartSvg, svgToPng } from './chart-png.ts';
import { stripChart, type StripLayout, type StripOptions } from './strip-chart.ts';
import { checkPanel, panelPng, type PicturePanel } from './strip-panels.ts';

/** A strip drawn by ECharts' server-side renderer: its SVG and where each panel lies in it. */
export function renderStripSvg(options: StripOptions): { svg: string; layout: StripLayout } {
  const { option, layout } = stripChart(options);
  return { svg: renderChartSvg(option, layout.width, layout.height), layout };
}

/**
 * A horizontal strip of image panels with a title over each, for looking at one test
 * image's way through a model: the {@link stripChart} definition through ECharts' SVG
 * renderer and resvg, an RGBA PNG of `layout.width`×`layout.height` pixels.
 */
export function renderStrip(options: StripOptions): Uint8Array {
  const { svg, layout } = renderStripSvg(options);
  return svgToPng(svg, layout.width);
}

/** One grey or residual panel alone as a PNG, without title or colour bar: the gallery's tiles. */
export function renderPanel(panel: PicturePanel, scale = 1): Uint8Array {
  checkPanel(panel, 0, 'renderPanel');
  return panelPng(panel, scale);
}
