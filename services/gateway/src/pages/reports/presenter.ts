import type { TFunction } from 'i18next';
import { STATUS_LABELS, type Report } from '@woop/contracts';
import type { Locale } from '../i18n';
import { barChart, lineChart } from './charts';

/**
 * A report as the page shows it: each chart with the table of its figures and the link to that
 * table as CSV. The CSV is built from the very table (`csvOf`, csv.ts), so both say the same.
 */

export const CHARTS = [
  'weekly',
  'backlog-status',
  'backlog-type',
  'sla-first-response',
  'sla-resolution',
  'first-response',
  'satisfaction',
] as const;
export type ChartId = (typeof CHARTS)[number];

export interface Table {
  headers: string[];
  rows: string[][];
}

export interface ChartView {
  id: ChartId;
  title: string;
  /** One sentence that says what the chart shows (its figure's caption). */
  summary: string;
  svg: string;
  table: Table;
  csvHref: string;
}

export interface ReportFilters {
  from?: string;
  to?: string;
  team?: string;
  organizationId?: string;
}

const COLORS = {
  created: '#2563eb',
  resolved: '#059669',
  met: '#059669',
  breached: '#dc2626',
  running: '#9ca3af',
  bar: '#2563eb',
};

/** The filters as a query string (only those given), for the CSV links and the page's own URL. */
export function filterQuery(filters: ReportFilters): string {
  const params = new URLSearchParams();
  for (const key of ['from', 'to', 'team', 'organizationId'] as const) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  return params.toString();
}

export interface PresentDeps {
  t: TFunction;
  locale: Locale;
  /** Request type key → its label in the page's language (from the catalogue). */
  typeLabel: (key: string) => string;
}

const numberIn = (locale: Locale, n: number, digits = 0) =>
  new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', {
    maximumFractionDigits: digits,
    useGrouping: false,
  }).format(n);

/** The tables of a report, one per chart, in the page's language. */
export function reportTables(report: Report, deps: PresentDeps): Record<ChartId, Table> {
  const { t, locale } = deps;
  const n = (v: number) => numberIn(locale, v);
  const share = (part: number, whole: number) => (whole === 0 ? '—' : `${numberIn(locale, (100 * part) / whole, 1)} %`);
  const sla = (clock: 'firstResponse' | 'resolution'): Table => ({
    headers: [
      t('reports.col.priority'),
      t('reports.col.met'),
      t('reports.col.breached'),
      t('reports.col.running'),
      t('reports.col.compliance'),
    ],
    rows: report.sla.map((row) => {
      const c = row[clock];
      return [t(`priority.${row.priority}`), n(c.met), n(c.breached), n(c.running), share(c.met, c.met + c.breached)];
    }),
  });
  const minutes = (v: number | null) => (v === null ? '—' : numberIn(locale, v, 1));
  return {
    weekly: {
      headers: [
        t('reports.col.week'),
        t('reports.col.week-start'),
        t('reports.col.created'),
        t('reports.col.resolved'),
      ],
      rows: report.weekly.map((w) => [w.week, w.weekStart, n(w.created), n(w.resolved)]),
    },
    'backlog-status': {
      headers: [t('reports.col.status'), t('reports.col.requests')],
      rows: report.backlog.byStatus.map((s) => [STATUS_LABELS[s.status][locale], n(s.count)]),
    },
    'backlog-type': {
      headers: [t('reports.col.type'), t('reports.col.requests')],
      rows: report.backlog.byType.map((s) => [deps.typeLabel(s.requestType), n(s.count)]),
    },
    'sla-first-response': sla('firstResponse'),
    'sla-resolution': sla('resolution'),
    'first-response': {
      headers: [t('reports.col.measure'), t('reports.col.business-minutes')],
      rows: [
        [t('reports.first-response.median'), minutes(report.firstResponse.medianMinutes)],
        [t('reports.first-response.p90'), minutes(report.firstResponse.p90Minutes)],
        [t('reports.first-response.answered'), n(report.firstResponse.answered)],
      ],
    },
    satisfaction: {
      headers: [t('reports.col.score'), t('reports.col.ratings')],
      rows: report.satisfaction.byScore.map((s) => [`${s.score} / 5`, n(s.count)]),
    },
  };
}

/** The page's model: the filters, the charts (SVG, table, CSV link) and the summaries. */
export function presentReport(report: Report, filters: ReportFilters, deps: PresentDeps) {
  const { t } = deps;
  const tables = reportTables(report, deps);
  const query = filterQuery(filters);
  const csvHref = (id: ChartId) => `/agent/reports.csv?chart=${id}${query ? `&${query}` : ''}`;
  const chart = (id: ChartId, svg: string): ChartView => ({
    id,
    title: t(`reports.chart.${id}`),
    summary: t(`reports.summary.${id}`),
    svg,
    table: tables[id],
    csvHref: csvHref(id),
  });
  const weeks = report.weekly.map((w) => w.week);
  const slaChart = (clock: 'firstResponse' | 'resolution') =>
    barChart(
      report.sla.map((r) => t(`priority.${r.priority}`)),
      (['met', 'breached', 'running'] as const).map((k) => ({
        name: t(`reports.col.${k}`),
        values: report.sla.map((r) => r[clock][k]),
        color: COLORS[k],
      })),
      { stacked: true },
    );
  const charts: ChartView[] = [
    chart(
      'weekly',
      lineChart(weeks, [
        { name: t('reports.col.created'), values: report.weekly.map((w) => w.created), color: COLORS.created },
        { name: t('reports.col.resolved'), values: report.weekly.map((w) => w.resolved), color: COLORS.resolved },
      ]),
    ),
    chart(
      'backlog-status',
      barChart(
        tables['backlog-status'].rows.map((r) => r[0]!),
        [{ name: t('reports.col.requests'), values: report.backlog.byStatus.map((s) => s.count), color: COLORS.bar }],
        { horizontal: true },
      ),
    ),
    chart(
      'backlog-type',
      barChart(
        tables['backlog-type'].rows.map((r) => r[0]!),
        [{ name: t('reports.col.requests'), values: report.backlog.byType.map((s) => s.count), color: COLORS.bar }],
        { horizontal: true },
      ),
    ),
    chart('sla-first-response', slaChart('firstResponse')),
    chart('sla-resolution', slaChart('resolution')),
    chart(
      'first-response',
      barChart(
        [t('reports.first-response.median'), t('reports.first-response.p90')],
        [
          {
            name: t('reports.col.business-minutes'),
            values: [report.firstResponse.medianMinutes ?? 0, report.firstResponse.p90Minutes ?? 0],
            color: COLORS.bar,
          },
        ],
        { horizontal: true },
      ),
    ),
  ];
  if (report.satisfaction.ratings > 0) {
    charts.push(
      chart(
        'satisfaction',
        barChart(
          report.satisfaction.byScore.map((s) => `${s.score} / 5`),
          [
            {
              name: t('reports.col.ratings'),
              values: report.satisfaction.byScore.map((s) => s.count),
              color: COLORS.bar,
            },
          ],
        ),
      ),
    );
  }
  return {
    period: report.period,
    charts,
    satisfaction: {
      ratings: report.satisfaction.ratings,
      average: report.satisfaction.average === null ? null : numberIn(deps.locale, report.satisfaction.average, 2),
    },
    firstResponse: report.firstResponse,
  };
}
