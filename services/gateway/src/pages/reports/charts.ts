/** What this module uses of ECharts, in SSR mode. */
interface SsrChart {
  setOption(option: Record<string, unknown>): void;
  renderToSVGString(): string;
  dispose(): void;
}
interface ECharts {
  init(dom: null, theme: null, opts: { renderer: 'svg'; ssr: true; width: number; height: number }): SsrChart;
}

// ECharts is an ES module whose `require` entry is its CommonJS bundle; its declarations are the
// ES module's (which a CommonJS file cannot import), so the little used here is declared above.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const echarts = require('echarts') as ECharts;

/**
 * Charts drawn on the server to SVG with Apache ECharts' SSR renderer (no DOM, no script): the
 * page shows them without JavaScript, and no browser fetches a library. ECharts escapes the
 * text it writes (`<` → `&lt;`); `safeSvg` then keeps only drawing: the hover `<style>` and
 * ECharts' bookkeeping attributes go, and anything that could run (a script, an event handler,
 * a link) makes the chart refused rather than inlined.
 */

export interface Series {
  name: string;
  values: number[];
  color: string;
}

const WIDTH = 560;
const HEIGHT = 260;
const TEXT = '#1f2937';
const GRID = '#d1d5db';

export function safeSvg(svg: string): string {
  const cleaned = svg
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/\s(?:ecmeta_[a-z_]+|class|pointer-events)="[^"]*"/g, '')
    .replace('<svg ', '<svg aria-hidden="true" focusable="false" ');
  if (/<script|<foreignObject|\son[a-z]+\s*=|javascript:|<a[\s>]|href=/i.test(cleaned)) {
    throw new Error('a chart holds something that is not a drawing');
  }
  return cleaned;
}

function render(option: Record<string, unknown>, height = HEIGHT): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height });
  try {
    chart.setOption({ animation: false, textStyle: { color: TEXT, fontFamily: 'sans-serif' }, ...option });
    return safeSvg(chart.renderToSVGString());
  } finally {
    chart.dispose();
  }
}

const legend = { top: 0, textStyle: { color: TEXT } };
const valueAxis = {
  type: 'value',
  minInterval: 1,
  axisLabel: { color: TEXT },
  splitLine: { lineStyle: { color: GRID } },
};

/** Bars per category, one colour per series (side by side, or stacked). */
export function barChart(
  categories: string[],
  series: Series[],
  opts: { stacked?: boolean; horizontal?: boolean } = {},
): string {
  const categoryAxis = {
    type: 'category',
    data: categories,
    axisLabel: { color: TEXT, interval: 0, hideOverlap: true, width: opts.horizontal ? 150 : 90, overflow: 'truncate' },
  };
  return render(
    {
      legend: series.length > 1 ? { ...legend, data: series.map((s) => s.name) } : undefined,
      grid: { left: opts.horizontal ? 160 : 48, right: 16, top: series.length > 1 ? 36 : 16, bottom: 48 },
      xAxis: opts.horizontal ? valueAxis : categoryAxis,
      yAxis: opts.horizontal ? { ...categoryAxis, inverse: true } : valueAxis,
      series: series.map((s) => ({
        name: s.name,
        type: 'bar',
        data: s.values,
        stack: opts.stacked ? 'all' : undefined,
        itemStyle: { color: s.color },
        label: { show: !opts.stacked, position: opts.horizontal ? 'right' : 'top', color: TEXT },
      })),
    },
    opts.horizontal ? Math.max(120, 48 + categories.length * 32) : HEIGHT,
  );
}

/** Lines per series over categories (weeks). */
export function lineChart(categories: string[], series: Series[]): string {
  return render({
    legend: { ...legend, data: series.map((s) => s.name) },
    grid: { left: 48, right: 16, top: 36, bottom: 56 },
    xAxis: { type: 'category', data: categories, axisLabel: { color: TEXT, rotate: 45 } },
    yAxis: valueAxis,
    series: series.map((s) => ({
      name: s.name,
      type: 'line',
      data: s.values,
      symbolSize: 6,
      itemStyle: { color: s.color },
      lineStyle: { color: s.color, width: 2 },
    })),
  });
}
