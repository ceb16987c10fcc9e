import { BarChart, LineChart, ParallelChart, ScatterChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, ParallelComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

// Only what the pages draw, so the bundle stays a fraction of the whole library.
echarts.use([LineChart, ScatterChart, BarChart, ParallelChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, DataZoomComponent, ParallelComponent, CanvasRenderer]);

export type ChartOption = Parameters<echarts.ECharts['setOption']>[0];

/** A chart in `container` that follows the container's size and can be updated in place. */
export class Chart {
  private readonly instance: echarts.ECharts;
  private readonly resize: ResizeObserver;

  constructor(readonly container: HTMLElement) {
    this.instance = echarts.init(container, null, { renderer: 'canvas' });
    this.resize = new ResizeObserver(() => this.instance.resize());
    this.resize.observe(container);
  }

  show(option: ChartOption): void {
    this.instance.setOption(option, { notMerge: true });
  }

  dispose(): void {
    this.resize.disconnect();
    this.instance.dispose();
  }
}

export { AXIS_STYLE, SERIES_COLOURS } from '../../shared/evaluation/charts/chart-style.ts';
