import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Percentiles } from './stats';

/** One measured figure: what the system did, and what the bare engine did in the same run. */
export interface Figure extends Percentiles {
  perSecond?: number;
  errors?: number;
  errorKinds?: Record<string, number>;
}

export interface Row {
  section: string;
  name: string;
  measured: Figure;
  baselineName?: string;
  baseline?: Figure;
  /** The ratio the target is about, e.g. gateway rate ÷ bare rate. */
  ratio?: number;
  ratioOf?: string;
  target?: string;
  /** Undefined when the row has no target (information). */
  met?: boolean;
  note?: string;
  /** Not a latency in ms (e.g. MiB): in the table, not on the chart. */
  unit?: string;
  /** A comparison of figures already charted (growth): in the table only. */
  notCharted?: boolean;
}

const num = (v: number | undefined, digits = 0) =>
  v === undefined || Number.isNaN(v) ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(digits || (v < 10 ? 1 : 0));

const cells = (f: Figure | undefined) =>
  f ? [num(f.p50), num(f.p90), num(f.p99), f.perSecond === undefined ? '' : num(f.perSecond, 1)] : ['', '', '', ''];

/** The table printed at the end: one line per figure, its baseline under it. */
export function table(rows: Row[]): string {
  const head = ['figure', 'n', 'p50 ms', 'p90 ms', 'p99 ms', '/s', 'errors', 'ratio', 'target', ''];
  // A line is either cells (aligned in columns) or free text (a section title, a note).
  const lines: Array<string[] | string> = [head];
  let section = '';
  for (const r of rows) {
    if (r.section !== section) {
      section = r.section;
      lines.push(`— ${section}`);
    }
    lines.push([
      r.name,
      String(r.measured.n),
      ...cells(r.measured),
      r.measured.errors ? String(r.measured.errors) : '',
      r.ratio === undefined ? '' : r.ratio.toFixed(2),
      r.target ?? '',
      r.met === undefined ? '' : r.met ? 'met' : 'NOT MET',
    ]);
    if (r.baseline)
      lines.push([`  vs ${r.baselineName ?? 'baseline'}`, String(r.baseline.n), ...cells(r.baseline), '', '', '', '']);
    if (r.note) lines.push(`    ${r.note}`);
  }
  const grid = lines.filter((l): l is string[] => Array.isArray(l));
  const widths = head.map((_, i) => Math.max(...grid.map((l) => l[i]!.length)));
  return lines
    .map((l) =>
      typeof l === 'string'
        ? l
        : l
            .map((c, i) => (i === 0 || i >= 8 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
            .join('  ')
            .trimEnd(),
    )
    .join('\n');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The latency percentiles as an SVG (written by hand, no dependency): per figure, a bar for the
 * system and one for its baseline, p50 dark, p90 medium, p99 light, on a log scale.
 */
export function chart(rows: Row[], title: string): string {
  const bars: Array<{ label: string; f: Figure; base: boolean; met?: boolean }> = [];
  for (const r of rows) {
    if (r.unit || r.notCharted || !(r.measured.n > 0) || Number.isNaN(r.measured.p50)) continue;
    bars.push({ label: `${r.section}: ${r.name}`, f: r.measured, base: false, met: r.met });
    if (r.baseline && r.baseline.n > 0 && !Number.isNaN(r.baseline.p50))
      bars.push({ label: `  baseline: ${r.baselineName ?? ''}`, f: r.baseline, base: true });
  }
  const values = bars.flatMap((b) => [b.f.p50, b.f.p99]).filter((v) => v > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.max(0.1, Math.min(...values, 1)))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...values, 10))));
  const labelW = 430;
  const plotW = 560;
  const rowH = 18;
  const top = 70;
  const height = top + bars.length * rowH + 40;
  const x = (v: number) =>
    labelW + (plotW * (Math.log10(Math.max(v, lo)) - Math.log10(lo))) / (Math.log10(hi) - Math.log10(lo));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelW + plotW + 30}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<text x="10" y="38" fill="#444">latency per figure (log scale, ms): p50 ▮ dark, p90 ▮ medium, p99 ▮ light; blue = through the system, grey = bare baseline</text>`,
  ];
  for (let t = lo; t <= hi; t *= 10) {
    out.push(
      `<text x="${x(t)}" y="${top - 9}" text-anchor="middle" fill="#444">${t >= 1000 ? `${t / 1000} s` : `${t} ms`}</text>`,
      `<line x1="${x(t)}" y1="${top - 6}" x2="${x(t)}" y2="${height - 30}" stroke="#ddd"/>`,
      `<text x="${x(t)}" y="${height - 16}" text-anchor="middle" fill="#444">${t >= 1000 ? `${t / 1000} s` : `${t} ms`}</text>`,
    );
  }
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    const colors = b.base ? ['#9e9e9e', '#c4c4c4', '#e6e6e6'] : ['#1f5fa8', '#5b8fd0', '#b5cdee'];
    out.push(
      `<text x="${labelW - 8}" y="${y + 12}" text-anchor="end" fill="${b.base ? '#666' : b.met === false ? '#b00020' : '#111'}">${esc(b.label.slice(0, 70))}</text>`,
      `<rect x="${labelW}" y="${y + 2}" width="${x(b.f.p99) - labelW}" height="${rowH - 5}" fill="${colors[2]}"/>`,
      `<rect x="${labelW}" y="${y + 2}" width="${x(b.f.p90) - labelW}" height="${rowH - 5}" fill="${colors[1]}"/>`,
      `<rect x="${labelW}" y="${y + 2}" width="${x(b.f.p50) - labelW}" height="${rowH - 5}" fill="${colors[0]}"/>`,
      `<text x="${x(b.f.p99) + 4}" y="${y + 12}" fill="#333">${num(b.f.p50)} / ${num(b.f.p90)} / ${num(b.f.p99)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n');
}

/** A figure on one line, as it is measured: `section · name: p50/p90/p99 ms, rate, ratio, target`. */
export function oneLine(r: Row): string {
  const f = r.measured;
  const unit = r.unit ?? 'ms';
  const parts = [`${r.section} · ${r.name}: p50 ${num(f.p50)} p90 ${num(f.p90)} p99 ${num(f.p99)} ${unit}`];
  if (f.perSecond !== undefined) parts.push(`${num(f.perSecond, 1)}/s`);
  if (f.errors) parts.push(`${f.errors} errors`);
  if (r.baseline) parts.push(`baseline ${r.baselineName ?? ''} p50 ${num(r.baseline.p50)} ${unit}`);
  if (r.ratio !== undefined) parts.push(`ratio ${r.ratio.toFixed(2)}${r.ratioOf ? ` (${r.ratioOf})` : ''}`);
  if (r.target) parts.push(`target ${r.target}: ${r.met === undefined ? '—' : r.met ? 'met' : 'NOT MET'}`);
  return parts.join(', ');
}

/** Writes `<dir>/<stamp>.json` and `.svg`; returns their paths. */
export function save(dir: string, stamp: string, data: unknown, svg: string): { json: string; svg: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, `${stamp}.json`);
  const svgPath = join(dir, `${stamp}.svg`);
  writeFileSync(json, `${JSON.stringify(data, null, 2)}\n`);
  writeFileSync(svgPath, svg);
  return { json, svg: svgPath };
}
