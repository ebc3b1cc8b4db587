import { html, jsonBlock, type SafeHtml } from './html';

/**
 * What assets/charts.js draws with uPlot: one x axis (times in seconds, or category indexes with
 * their labels) and series drawn as lines, points or bars. The server decides everything shown;
 * the browser only draws it.
 */
export interface ChartSeries {
  label: string;
  values: (number | null)[];
  style: 'line' | 'points' | 'bars';
  color: string;
}

export interface ChartSpec {
  x: number[];
  /** Labels for x = 0, 1, 2 …; absent when x holds times. */
  categories?: string[];
  xLabel: string;
  yLabel: string;
  /** The values are base-10 logarithms (of p-values spanning many orders of magnitude): ticks and legend show the quantity itself. */
  yLog?: boolean;
  series: ChartSeries[];
}

export const COLORS = { reference: '#4f6d9a', current: '#d9822b', line: '#2f7d4f', second: '#7a5195', alarm: '#c0392b', muted: '#8a8f98' } as const;

/** A figure holding one chart and its caption; the data travels as inert JSON next to it. */
export function chartFigure(id: string, spec: ChartSpec, caption: SafeHtml | string): SafeHtml {
  return html`<figure class="chart-figure" data-chart="${id}-data" id="${id}">
<div class="chart"></div>
<figcaption>${caption}</figcaption>
${jsonBlock(`${id}-data`, spec)}
</figure>`;
}

/** Epoch seconds, uPlot's time scale. */
export function epochSeconds(time: Date | string): number {
  return new Date(time).getTime() / 1000;
}
