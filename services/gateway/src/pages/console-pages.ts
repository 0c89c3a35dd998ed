import express, { type Router } from 'express';
import { queuePageQuery, QUEUES, type QueueName, type TicketListItem, type TicketPage } from '@woop/contracts';
import { ProblemError } from '@woop/service-kit';
import { problem } from '../problems';
import { formatDate, type Locale } from './i18n';
import type { PageContext, PageKit } from './kit';
import { catalogueOf, orNothing, peopleOf, type Person, type RequestType } from './lookups';

interface Organization {
  organizationId: string;
  name: string;
}

export const notFound = () => problem('not_found');

/** A service's 403 on a page is a page that does not exist for this person: nothing about why. */
export const hide403 = (err: unknown): never => {
  if (err instanceof ProblemError && err.status === 403) throw notFound();
  throw err;
};

/** How long ago a request was created, as a person says it ("il y a 3 jours", "2 hours ago"). */
export function ageOf(iso: string, now: Date, locale: Locale): string {
  const at = new Date(iso).getTime();
  if (Number.isNaN(at)) return '';
  const rtf = new Intl.RelativeTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { numeric: 'auto' });
  const minutes = Math.max(0, Math.floor((now.getTime() - at) / 60_000));
  if (minutes < 1) return rtf.format(0, 'second');
  if (minutes < 60) return rtf.format(-minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return rtf.format(-hours, 'hour');
  const days = Math.floor(hours / 24);
  return new Intl.RelativeTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { numeric: 'always' }).format(-days, 'day');
}

/** The queue's links: the next page and, when on a later page, the first one. */
export function queuePager(queue: QueueName, cursor: string | undefined, nextCursor: string | null) {
  const base = `/agent/queues/${queue}`;
  return {
    next: nextCursor ? `${base}?cursor=${encodeURIComponent(nextCursor)}` : null,
    first: cursor ? base : null,
  };
}

/** One row of a queue as the table shows it: its type, who asked, who works on it, how old it is. */
export function queueRow(
  row: TicketListItem,
  lookups: {
    types: Map<string, RequestType>;
    /** Names only: what a row shows of an assignee. */
    people: Map<string, Pick<Person, 'userId' | 'fullName' | 'email'>>;
    organizations: Map<string, string>;
  },
  locale: Locale,
  now: Date,
) {
  const agent = row.assignment.agentId ? lookups.people.get(row.assignment.agentId) : undefined;
  return {
    ...row,
    type: lookups.types.get(row.requestType),
    organization: lookups.organizations.get(row.organizationId),
    team: row.assignment.team,
    assignee: row.assignment.agentId ? agent?.fullName || agent?.email || row.assignment.agentId : undefined,
    age: ageOf(row.createdAt, now, locale),
    created: formatDate(row.createdAt, locale),
  };
}

/** The agents' console: the five queues with their counts, one queue's page at a time, oldest first. */
export function consolePages(kit: PageKit): Router {
  const r = express.Router();

  async function show(ctx: PageContext, queue: QueueName) {
    if (!ctx.me || ctx.me.role === 'customer') throw notFound();
    const given = queuePageQuery.safeParse({ limit: 25, cursor: ctx.req.query.cursor });
    let cursor = given.success ? given.data.cursor : undefined;
    let restarted = !given.success;
    const pageOf = (at: string | undefined) =>
      ctx
        .call<TicketPage>('tickets', {
          method: 'GET',
          path: `/v1/queues/${queue}?limit=25${at ? `&cursor=${encodeURIComponent(at)}` : ''}`,
        })
        .catch(hide403);
    const [counts, firstTry, catalogue, people, organizations] = await Promise.all([
      ctx.call<{ counts: Record<QueueName, number> }>('tickets', { method: 'GET', path: '/v1/queues' }).catch(hide403),
      // A cursor from another queue or an older page is refused: the queue then starts again.
      pageOf(cursor).catch((err: unknown) => {
        if (cursor && err instanceof ProblemError && err.status === 400) return undefined;
        throw err;
      }),
      orNothing(catalogueOf(ctx)),
      orNothing(peopleOf(ctx)),
      ctx
        .call<{ items: Organization[] }>('identity', { method: 'GET', path: '/v1/organizations' })
        .then((o) => o.items)
        .catch(() => [] as Organization[]),
    ]);
    let page = firstTry;
    if (!page) {
      restarted = true;
      cursor = undefined;
      page = await pageOf(undefined);
    }
    const now = new Date();
    const lookups = {
      types: new Map(catalogue.map((t) => [t.key, t])),
      people: new Map(people.map((p) => [p.userId, p])),
      organizations: new Map(organizations.map((o) => [o.organizationId, o.name])),
    };
    ctx.render('console-queue', {
      title: ctx.t(`console.queue.${queue}`),
      section: 'agent',
      queue,
      queues: QUEUES.map((name) => ({ name, count: counts.counts[name] ?? 0, current: name === queue })),
      rows: page.items.map((row) => queueRow(row, lookups, ctx.locale, now)),
      restarted,
      ...queuePager(queue, cursor, page.nextCursor),
    });
  }

  r.get(
    '/agent',
    kit.page('user', async (ctx) => show(ctx, 'unassigned')),
  );
  r.get(
    '/agent/queues/:queue',
    kit.page('user', async (ctx) => {
      const queue = QUEUES.find((q) => q === ctx.req.params.queue);
      if (!queue) throw notFound();
      await show(ctx, queue);
    }),
  );
  return r;
}
