/**
 * How long an evaluation strip takes to draw through ECharts' server-side renderer and
 * resvg, split into the two steps, what resvg costs when it reads every system font, and
 * what drawing the residual as an ECharts heatmap series (one rectangle per pixel) would
 * cost instead. Run by hand:
 *
 *   npx tsx bench/strip-pictures.ts [--sizes 64,128] [--repeats 10]
 *
 * Writes bench/results/strip-pictures-<YYYY-MM-DD>.md and prints the same table.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { INFERNO_ANCHORS } from '../shared/evaluation/pictures/inferno.ts';
import { renderChartPng, svgToPng } from '../shared/evaluation/pictures/chart-png.ts';
import type { StripPanel } from '../shared/evaluation/pictures/strip-panels.ts';
import { renderStripSvg } from '../shared/evaluation/pictures/strip.ts';
import { median } from './median.ts';
import { machineLine } from './sweep-bench-stack.ts';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '64,128' }, repeats: { type: 'string', default: '10' } } });
const sizes = values.sizes.split(',').map(Number);
const repeats = Number(values.repeats);

/** A strip as MorphAEus produces one: input, prior, reconstruction, residual and deformation. */
function morphaeusPanels(n: number): StripPanel[] {
  const wave = (k: number) => new Float32Array(n * n * k).map((_, i) => 0.5 + 0.5 * Math.sin(i / 37));
  return [
    { title: 'input', image: wave(1), height: n, width: n, kind: 'gray' },
    { title: 'prior', image: wave(1), height: n, width: n, kind: 'gray' },
    { title: 'reconstruction', image: wave(1), height: n, width: n, kind: 'gray' },
    { title: 'residual', image: wave(1).map((v) => v / 3), height: n, width: n, kind: 'heat', max: 0.5 },
    { title: 'deformation', image: wave(2), height: n, width: n, kind: 'grid' },
  ];
}

function milliseconds(step: () => void): number {
  const start = performance.now();
  step();
  return performance.now() - start;
}

/** One residual panel as the heatmap alternative: a series item and an SVG rectangle per pixel. */
function heatmapResidualMs(n: number): number {
  const data: number[][] = [];
  for (let y = 0; y < n; y += 1) for (let x = 0; x < n; x += 1) data.push([x, y, ((x + y) % n) / (2 * n)]);
  const axis = (inverse: boolean) => ({ type: 'category' as const, show: false, inverse, data: Array.from({ length: n }, (_, i) => i) });
  const option = {
    animation: false,
    grid: { left: 8, top: 8, width: 2 * n, height: 2 * n },
    xAxis: axis(false),
    yAxis: axis(true),
    visualMap: { show: false, min: 0, max: 0.5, inRange: { color: INFERNO_ANCHORS.map((rgb) => `rgb(${rgb.join(',')})`) } },
    series: [{ type: 'heatmap' as const, data }],
  };
  return milliseconds(() => renderChartPng(option, Math.max(160, 2 * n + 16), Math.max(120, 2 * n + 16)));
}

const rows = sizes.map((n) => {
  const panels = morphaeusPanels(n);
  const times = { svg: [] as number[], png: [] as number[], everyFont: [] as number[] };
  for (let k = 0; k < repeats + 1; k += 1) {
    let drawn = renderStripSvg({ panels });
    const svgMs = milliseconds(() => (drawn = renderStripSvg({ panels })));
    const pngMs = milliseconds(() => svgToPng(drawn.svg, drawn.layout.width));
    const everyFontMs = milliseconds(() => new Resvg(drawn.svg, { fitTo: { mode: 'width', value: drawn.layout.width }, font: { loadSystemFonts: true } }).render().asPng());
    // The first round warms ECharts and resvg up and is not counted.
    if (k > 0) {
      times.svg.push(svgMs);
      times.png.push(pngMs);
      times.everyFont.push(everyFontMs);
    }
  }
  const [svg, png, everyFont] = [times.svg, times.png, times.everyFont].map(median);
  return `| ${n}² | ${svg.toFixed(1)} | ${png.toFixed(1)} | ${(svg + png).toFixed(1)} | ${everyFont.toFixed(1)} | ${heatmapResidualMs(n).toFixed(0)} |`;
});

const load = os.loadavg().map((v) => v.toFixed(2)).join(', ');
const report = [
  `# Strip pictures, ${new Date().toISOString()}`,
  '',
  `Command: \`npx tsx bench/strip-pictures.ts --sizes ${values.sizes} --repeats ${repeats}\``,
  `Machine: ${machineLine()}; load average at the end ${load}`,
  '',
  `A five-panel MorphAEus strip (input, prior, reconstruction, residual, deformation grid), enlarged to about 128 pixels; median of ${repeats} after one warm-up.`,
  'resvg reads DejaVu Sans from its files; the next column is the same SVG with resvg reading every system font instead.',
  'The last column draws only the residual panel as an ECharts heatmap series with an inferno visualMap (one run).',
  '',
  '| image | ECharts option → SVG (ms) | resvg SVG → PNG (ms) | strip total (ms) | resvg reading every system font (ms) | residual as heatmap series (ms) |',
  '|---|---|---|---|---|---|',
  ...rows,
  '',
].join('\n');
const day = new Date().toISOString().slice(0, 10);
let file = `bench/results/strip-pictures-${day}.md`;
for (let k = 2; existsSync(file); k += 1) file = `bench/results/strip-pictures-${day}-${k}.md`;
writeFileSync(file, report);
process.stdout.write(report);
