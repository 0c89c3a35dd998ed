import type { Report } from '@woop/contracts';
import { translator } from '../i18n';
import { createPageRenderer } from '../render';
import { safeSvg } from './charts';
import { filtersOf } from './controller';
import { csvOf, parseCsv } from './csv';
import { CHARTS, filterQuery, presentReport, reportTables, type PresentDeps } from './presenter';

const report: Report = {
  period: { from: '2026-11-02', to: '2026-11-15' },
  teams: ['support', 'support-leads'],
  weekly: [
    { week: '2026-W45', weekStart: '2026-11-02', created: 3, resolved: 1 },
    { week: '2026-W46', weekStart: '2026-11-09', created: 2, resolved: 2 },
  ],
  backlog: {
    byStatus: [
      { status: 'open', count: 2 },
      { status: 'waiting_for_customer', count: 1 },
    ],
    byType: [
      { requestType: 'evil', count: 2 },
      { requestType: 'unknown-type', count: 1 },
    ],
  },
  sla: [
    {
      priority: 'low',
      firstResponse: { met: 0, breached: 0, running: 0 },
      resolution: { met: 0, breached: 0, running: 0 },
    },
    {
      priority: 'medium',
      firstResponse: { met: 2, breached: 1, running: 1 },
      resolution: { met: 1, breached: 0, running: 3 },
    },
    {
      priority: 'high',
      firstResponse: { met: 1, breached: 0, running: 0 },
      resolution: { met: 0, breached: 1, running: 0 },
    },
    {
      priority: 'critical',
      firstResponse: { met: 0, breached: 0, running: 0 },
      resolution: { met: 0, breached: 0, running: 0 },
    },
  ],
  firstResponse: { answered: 3, medianMinutes: 12.5, p90Minutes: 95 },
  satisfaction: { ratings: 0, average: null, byScore: [1, 2, 3, 4, 5].map((score) => ({ score, count: 0 })) },
  generatedAt: '2026-11-16T10:00:00.000Z',
};

const EVIL = '<script>alert("x")</script>=1+1';
const deps = (locale: 'fr' | 'en'): PresentDeps => ({
  t: translator(locale),
  locale,
  typeLabel: (key) => (key === 'evil' ? EVIL : key),
});

describe('report presenter', () => {
  it('turns the answer into tables in the page language', () => {
    const fr = reportTables(report, deps('fr'));
    expect(fr.weekly).toEqual({
      headers: ['Semaine', 'Lundi', 'Créées', 'Résolues'],
      rows: [
        ['2026-W45', '2026-11-02', '3', '1'],
        ['2026-W46', '2026-11-09', '2', '2'],
      ],
    });
    expect(fr['backlog-status'].rows).toEqual([
      ['Ouvert', '2'],
      ['En attente client', '1'],
    ]);
    // Compliance: met / (met + breached); nothing decided yet is a dash, not 0 %.
    expect(fr['sla-first-response'].rows[1]).toEqual(['Moyenne', '2', '1', '1', '66,7 %']);
    expect(fr['sla-first-response'].rows[0]).toEqual(['Basse', '0', '0', '0', '—']);
    expect(fr['first-response'].rows.slice(0, 2)).toEqual([
      ['Médiane', '12,5'],
      ['90e centile', '95'],
    ]);
    const en = reportTables(report, deps('en'));
    expect(en['sla-resolution'].rows[2]).toEqual(['High', '0', '1', '0', '0 %']);
    expect(en['first-response'].rows[0]).toEqual(['Median', '12.5']);
  });

  it('gives each chart an SVG, its table and a CSV link that keeps the filters', () => {
    const filters = { from: '2026-11-02', to: '2026-11-15', team: 'support', organizationId: 'org a&b' };
    const view = presentReport(report, filters, deps('en'));
    // No ratings: no satisfaction chart (the page says "no ratings yet").
    expect(view.charts.map((c) => c.id)).toEqual(CHARTS.filter((c) => c !== 'satisfaction'));
    for (const chart of view.charts) {
      expect(chart.svg).toMatch(/^<svg aria-hidden="true" focusable="false" /);
      expect(chart.csvHref).toBe(
        `/agent/reports.csv?chart=${chart.id}&from=2026-11-02&to=2026-11-15&team=support&organizationId=org+a%26b`,
      );
    }
    const withRatings = presentReport(
      {
        ...report,
        satisfaction: {
          ratings: 2,
          average: 4.5,
          byScore: [0, 0, 0, 1, 1].map((count, i) => ({ score: i + 1, count })),
        },
      },
      {},
      deps('fr'),
    );
    expect(withRatings.charts.at(-1)?.id).toBe('satisfaction');
    expect(withRatings.satisfaction).toEqual({ ratings: 2, average: '4,5' });
    expect(withRatings.charts[0]!.csvHref).toBe('/agent/reports.csv?chart=weekly');
  });

  it('escapes a request type label in the chart and in the page', () => {
    const view = presentReport(report, {}, deps('fr'));
    const svg = view.charts.find((c) => c.id === 'backlog-type')!.svg;
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&lt;script&gt;');
    const html = createPageRenderer().render('reports', {
      locale: 'fr',
      ...view,
      teams: [],
      organizations: [],
      invalid: false,
    });
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('Pas encore de notes.');
    expect(html.match(/<svg aria-hidden="true"/g)?.length).toBeGreaterThanOrEqual(6);
  });

  it('refuses to inline a chart that could run something', () => {
    expect(() => safeSvg('<svg ><script>x()</script></svg>')).toThrow();
    expect(() => safeSvg('<svg ><rect onload="x()"/></svg>')).toThrow();
    expect(() => safeSvg('<svg ><a href="javascript:x()"></a></svg>')).toThrow();
    expect(safeSvg('<svg ><style>.a{}</style><path class="zr0-cls-1" ecmeta_series_index="0" d="M0 0"/></svg>')).toBe(
      '<svg aria-hidden="true" focusable="false" ><path d="M0 0"/></svg>',
    );
  });
});

describe('report CSV', () => {
  it('holds exactly the rows of the table, with a BOM, `;` and CRLF', () => {
    const tables = reportTables(report, deps('fr'));
    for (const id of CHARTS) {
      const csv = csvOf(tables[id]);
      expect(csv.startsWith('\uFEFF')).toBe(true);
      expect(parseCsv(csv)).toEqual([tables[id].headers, ...tables[id].rows]);
    }
    expect(csvOf(tables['sla-first-response'])).toContain('\r\nMoyenne;2;1;1;66,7 %\r\n');
  });

  it('quotes separators and defuses formulas', () => {
    const csv = csvOf({
      headers: ['a;b', 'c'],
      rows: [
        ['=HYPERLINK("x")', 'say "hi"'],
        ['-1', '@x'],
      ],
    });
    expect(csv).toBe('\uFEFF"a;b";c\r\n"\'=HYPERLINK(""x"")";"say ""hi"""\r\n\'-1;\'@x\r\n');
    expect(parseCsv(csv)).toEqual([
      ['a;b', 'c'],
      ['\'=HYPERLINK("x")', 'say "hi"'],
      ["'-1", "'@x"],
    ]);
  });
});

describe('report filters', () => {
  it('keeps valid filters and drops the lot when one does not hold', () => {
    expect(filtersOf({ from: '2026-11-02', to: '2026-11-15', team: 'support', organizationId: '' })).toEqual({
      filters: { from: '2026-11-02', to: '2026-11-15', team: 'support' },
      invalid: false,
    });
    expect(filtersOf({ from: '2026-11-15', to: '2026-11-02' }).invalid).toBe(true);
    expect(filtersOf({ from: '2026-02-30' }).invalid).toBe(true);
    expect(filtersOf({ to: ['2026-11-02', 'x'] })).toEqual({ filters: {}, invalid: false });
    expect(filterQuery({ team: 'a b', from: undefined })).toBe('team=a+b');
  });
});
