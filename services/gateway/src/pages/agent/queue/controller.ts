import express, { type Router } from 'express';
import { queuePageQuery, QUEUES, type QueueName, type TicketPage } from '@woop/contracts';
import { ProblemError } from '@woop/service-kit';
import { problem } from '../../../problems';
import type { PageContext, PageKit } from '../../kit';
import { catalogueOf, orNothing, peopleOf } from '../../lookups';
import { hide403, notFound } from '../../page-errors';
import { csvOf } from '../../reports/csv';
import { ACTION_OF, BULK_MAX, bulkOrderOf, bulkSummary, refusalReason, runBulk } from './bulk';
import {
  filterChoices,
  queuePager,
  queueRow,
  queueTable,
  sortLinks,
  viewOf,
  viewQuery,
  type QueueView,
} from './presenter';

interface Organization {
  organizationId: string;
  name: string;
}

const PAGE_SIZE = 25;
/** The bulk form: the boxes ticked and a few fields; over BULK_MAX boxes is refused by bulkOrderOf with a sentence. */
const bulkBody = express.urlencoded({ extended: false, limit: '128kb', parameterLimit: 5_000 });

const queueOf = (ctx: PageContext): QueueName => {
  const queue = QUEUES.find((q) => q === (ctx.req.params.queue ?? 'unassigned'));
  if (!queue) throw notFound();
  return queue;
};

const staffOnly = (ctx: PageContext) => {
  if (!ctx.me || ctx.me.role === 'customer') throw notFound();
};

/**
 * One page of a queue in this view. A cursor that does not belong to it (another queue, order
 * or filter, or an older page) is refused by the service: the queue then starts again.
 */
async function pageOf(ctx: PageContext, queue: QueueName, view: QueueView) {
  const given = queuePageQuery.shape.cursor.safeParse(ctx.req.query.cursor);
  const cursor = given.success ? given.data : undefined;
  const fetch = (at: string | undefined) => {
    const query = new URLSearchParams(viewQuery(view, at));
    query.set('limit', String(PAGE_SIZE));
    return ctx
      .call<TicketPage>('tickets', { method: 'GET', path: `/v1/queues/${queue}?${query.toString()}` })
      .catch(hide403);
  };
  const first = await fetch(cursor).catch((err: unknown) => {
    if (cursor && err instanceof ProblemError && err.status === 400) return undefined;
    throw err;
  });
  if (first) return { page: first, cursor, restarted: !given.success };
  return { page: await fetch(undefined), cursor: undefined, restarted: true };
}

/** Everything the rows are shown with: request types, names, organisations (one call each, never per row). */
async function lookupsOf(ctx: PageContext) {
  const [catalogue, people, organizations] = await Promise.all([
    orNothing(catalogueOf(ctx)),
    orNothing(peopleOf(ctx)),
    orNothing(
      ctx
        .call<{ items: Organization[] }>('identity', { method: 'GET', path: '/v1/organizations' })
        .then((o) => o.items),
    ),
  ]);
  return {
    catalogue,
    people,
    organizations,
    lookups: {
      types: new Map(catalogue.map((t) => [t.key, t])),
      people: new Map(people.map((p) => [p.userId, p])),
      organizations: new Map(organizations.map((o) => [o.organizationId, o.name])),
    },
  };
}

/** The agents' console: the five queues with their counts, one queue's page at a time, in the order asked. */
export function queuePages(kit: PageKit): Router {
  const r = express.Router();

  async function show(ctx: PageContext) {
    staffOnly(ctx);
    const queue = queueOf(ctx);
    const { view, invalid } = viewOf(ctx.req.query);
    const [counts, shown, looked] = await Promise.all([
      ctx.call<{ counts: Record<QueueName, number> }>('tickets', { method: 'GET', path: '/v1/queues' }).catch(hide403),
      pageOf(ctx, queue, view),
      lookupsOf(ctx),
    ]);
    const now = new Date();
    const agents = looked.people.filter((p) => p.role !== 'customer' && p.status === 'active');
    const teams = [...new Set(agents.flatMap((a) => a.teams))].sort();
    ctx.render('console-queue', {
      title: ctx.t(`console.queue.${queue}`),
      section: 'agent',
      queue,
      queues: QUEUES.map((name) => ({ name, count: counts.counts[name] ?? 0, current: name === queue })),
      rows: shown.page.items.map((row) => queueRow(row, looked.lookups, ctx.t, ctx.locale, now)),
      restarted: shown.restarted,
      invalid,
      view,
      viewQuery: viewQuery(view),
      sorts: sortLinks(queue, view),
      filters: filterChoices(view, ctx.t, ctx.locale, {
        types: looked.catalogue,
        teams,
        organizations: looked.organizations,
      }),
      filtered: Object.keys(view).some((k) => k !== 'sort'),
      agents: agents.map((a) => ({ value: a.userId, label: `${a.fullName || a.email} (${a.teams.join(', ')})` })),
      teams: teams.map((t) => ({ value: t, label: t })),
      bulkMax: BULK_MAX,
      ...queuePager(queue, view, shown.cursor, shown.page.nextCursor),
    });
  }

  r.get('/agent', kit.page('user', show));
  r.get('/agent/queues/:queue', kit.page('user', show));

  // What the page shows, as CSV: the same order, filters and page (csvOf guards against formulas).
  r.get(
    '/agent/queues/:queue/export.csv',
    kit.page('user', async (ctx) => {
      staffOnly(ctx);
      const queue = queueOf(ctx);
      const { view } = viewOf(ctx.req.query);
      const [shown, looked] = await Promise.all([pageOf(ctx, queue, view), lookupsOf(ctx)]);
      const now = new Date();
      const rows = shown.page.items.map((row) => queueRow(row, looked.lookups, ctx.t, ctx.locale, now));
      const day = now.toISOString().slice(0, 10);
      ctx.res
        .status(200)
        .setHeader('Cache-Control', 'no-store')
        .setHeader('Content-Disposition', `attachment; filename="woop-queue-${queue}-${day}.csv"`)
        .type('text/csv; charset=utf-8')
        .send(csvOf(queueTable(rows, ctx.t)));
    }),
  );

  // Bulk: assign or set the priority of the requests ticked, one action each; every refusal is reported.
  r.post(
    '/agent/queues/:queue/bulk',
    kit.page(
      'user',
      async (ctx) => {
        staffOnly(ctx);
        const queue = queueOf(ctx);
        const body = (ctx.req.body ?? {}) as Record<string, unknown>;
        // The order and filters the page was in, to come back to them.
        const { view } = viewOf(
          Object.fromEntries(new URLSearchParams(typeof body.view === 'string' ? body.view : '')),
        );
        const back = `/agent/queues/${queue}${viewQuery(view) ? `?${viewQuery(view)}` : ''}`;
        const order = bulkOrderOf(body);
        if ('refused' in order) {
          ctx.flash(order.refused, { max: String(BULK_MAX) });
          return ctx.redirect(back);
        }
        const action = ACTION_OF[order.op];
        const results = await runBulk(
          order.references,
          async (reference) => {
            await ctx.call('tickets', {
              method: 'POST',
              path: `/v1/tickets/${encodeURIComponent(reference)}/actions/${action}`,
              json: { payload: order.payload },
            });
          },
          (err) => {
            // A session that ended mid-way: the login page, then the queue shows what was done.
            if (err instanceof ProblemError && err.status === 401) throw err;
            return refusalReason(err, order.op, ctx.t, (e) => kit.sentence(ctx, e));
          },
        );
        ctx.flash('queue.bulk-done', { summary: bulkSummary(order.op, results, ctx.t) });
        ctx.redirect(back);
      },
      {
        body: (req, res) =>
          new Promise<void>((resolve, reject) =>
            // A body no page sends (thousands of boxes): refused whole, as a sentence.
            bulkBody(req, res, (err?: unknown) => (err ? reject(problem('validation_failed')) : resolve())),
          ),
      },
    ),
  );
  return r;
}
