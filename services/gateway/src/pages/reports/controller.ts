import express, { type Router } from 'express';
import { reportQuery, type Report } from '@woop/contracts';
import { hide403, notFound } from '../page-errors';
import type { PageContext, PageKit } from '../kit';
import { catalogueOf, orNothing } from '../lookups';
import { csvOf } from './csv';
import { CHARTS, filterQuery, presentReport, reportTables, type PresentDeps, type ReportFilters } from './presenter';

interface Organization {
  organizationId: string;
  name: string;
}

/**
 * The filters of the URL (`from`, `to`, `team`, `organizationId`), as the service takes them;
 * when they do not hold (a date that is not one, `from` after `to`), none, and the page says so.
 */
export function filtersOf(query: Record<string, unknown>): { filters: ReportFilters; invalid: boolean } {
  const given = Object.fromEntries(
    (['from', 'to', 'team', 'organizationId'] as const)
      .map((k) => [k, query[k]] as const)
      .filter(([, v]) => typeof v === 'string' && v !== ''),
  );
  const parsed = reportQuery.safeParse(given);
  return parsed.success ? { filters: parsed.data, invalid: false } : { filters: {}, invalid: true };
}

async function reportFor(ctx: PageContext, filters: ReportFilters) {
  if (!ctx.me || ctx.me.role === 'customer') throw notFound();
  const query = filterQuery(filters);
  const [report, catalogue] = await Promise.all([
    ctx.call<Report>('tickets', { method: 'GET', path: `/v1/reports${query ? `?${query}` : ''}` }).catch(hide403),
    orNothing(catalogueOf(ctx)),
  ]);
  const labels = new Map(catalogue.map((t) => [t.key, t.label]));
  const deps: PresentDeps = {
    t: ctx.t,
    locale: ctx.locale,
    typeLabel: (key) => labels.get(key)?.[ctx.locale] ?? key,
  };
  return { report, deps };
}

/** `/agent/reports`: the desk's charts and tables (admins and team leads); each table as CSV. */
export function reportPages(kit: PageKit): Router {
  const r = express.Router();
  r.get(
    '/agent/reports',
    kit.page('user', async (ctx) => {
      const { filters, invalid } = filtersOf(ctx.req.query);
      const [{ report, deps }, organizations] = await Promise.all([
        reportFor(ctx, filters),
        ctx
          .call<{ items: Organization[] }>('identity', { method: 'GET', path: '/v1/organizations' })
          .then((o) => o.items)
          .catch(() => [] as Organization[]),
      ]);
      const view = presentReport(report, filters, deps);
      ctx.render('reports', {
        title: ctx.t('reports.title'),
        section: 'reports',
        invalid,
        ...view,
        teams: report.teams.map((team) => ({ team, selected: team === filters.team })),
        organizations: organizations
          .map((o) => ({ ...o, selected: o.organizationId === filters.organizationId }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      });
    }),
  );
  r.get(
    '/agent/reports.csv',
    kit.page('user', async (ctx) => {
      const chart = CHARTS.find((c) => c === ctx.req.query.chart);
      if (!chart) throw notFound();
      const { filters } = filtersOf(ctx.req.query);
      const { report, deps } = await reportFor(ctx, filters);
      const name = `woop-${chart}-${report.period.from}-${report.period.to}.csv`;
      ctx.res
        .status(200)
        .setHeader('Cache-Control', 'no-store')
        .setHeader('Content-Disposition', `attachment; filename="${name}"`)
        .type('text/csv; charset=utf-8')
        .send(csvOf(reportTables(report, deps)[chart]));
    }),
  );
  return r;
}
