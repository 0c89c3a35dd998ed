import type { mongo } from 'mongoose';
import { QUEUES, ticketListQuery, TICKET_STATUSES, type TicketListQuery, type TicketState } from '@woop/contracts';
import { connectMongo } from '@woop/service-kit';
import { listFilters as ticketsListFilters, pageQuery, queryOf, type Viewer } from '@woop/tickets/queries';
import { queueFilter } from '@woop/tickets/queue-queries';
import { ROWS_COLLECTION, rowOf } from '@woop/tickets/read-model';
import { DEFAULT_SLA_POLICIES } from '@woop/ticket-domain';
import { Session } from './http';
import type { Figure } from './report';
import type { Ctx } from './sections';
import { listsPair } from './stack';
import { timeSequential } from './stats';

/**
 * The "Demandes" list (every filter, the free-text search, the next page) and the agents'
 * queues, through a gateway and a tickets API over a database of the bench's own whose list
 * rows are written in bulk with the raw driver (two organisations), vs the same query sent
 * with the raw driver; at each size of `listSizes` (10,000 then 100,000 in full mode).
 */

/** Who a list is for, as the gateway's `/me` says. */
type Person = Viewer;

const WORDS = ['livraison', 'colis', 'étiquette', 'facture', 'retard', 'adresse', 'créneau', 'transporteur'];
const TYPES = ['ask-a-question', 'delivery-request', 'report-a-bug', 'configuration-request'];
const pick = <T>(items: readonly T[], i: number): T => items[i % items.length]!;

/** Ticket i of the seeded set: half in the customer's organisation, half in another. */
function ticket(i: number, customer: Person, agent: Person, otherOrg: string): TicketState {
  const mine = i % 2 === 0;
  const org = mine ? customer.organizationId! : otherOrg;
  const requester = mine && i % 10 === 0 ? customer.userId : `bench-person-${i % 40}`;
  const at = new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString();
  const status = pick(TICKET_STATUSES, i * 7 + Math.floor(i / 8));
  return {
    reference: `SUPPORT-${i + 1}`,
    requestType: pick(TYPES, i * 3),
    organizationId: org,
    requester: { id: requester, name: `Person ${requester}` },
    sharedWith: mine && i % 14 === 2 ? [{ id: customer.userId, name: 'Customer' }] : [],
    summary: `${pick(WORDS, i)} ${pick(WORDS, i * 3 + 1)} n°${i}`,
    description: `Bonjour, ${pick(WORDS, i * 5 + 2)} pour la commande ${10_000 + i}.`,
    confidential: i % 50 === 0,
    status,
    priority: pick(['low', 'medium', 'high', 'critical'] as const, i),
    qualified: status !== 'open',
    billable: false,
    assignment: { team: 'support', ...(i % 3 === 0 ? {} : { agentId: i % 5 === 1 ? agent.userId : `agent-${i % 5}` }) },
    escalated: i % 17 === 0,
    escalationTeams: i % 17 === 0 ? ['support-leads'] : [],
    createdAt: at,
    updatedAt: new Date(Date.parse(at) + (i % 97) * 3_600_000).toISOString(),
    version: 3,
    sla: {
      firstResponse: { targetMinutes: 240, consumedMinutes: 10, ...(i % 13 === 0 ? { warnedAt: at } : {}) },
      resolution: { targetMinutes: 2400, consumedMinutes: 10, ...(i % 19 === 0 ? { breachedAt: at } : {}) },
    },
    slaPolicy: DEFAULT_SLA_POLICIES.standard,
    windows: { validationMinutes: 2700, validationReminderMinutes: 540, reopenMinutes: 5400 },
    activity: [],
  };
}

// ---- the same queries with the raw driver ---------------------------------------------------

type ListParams = Partial<Pick<TicketListQuery, 'scope' | 'status' | 'requestType' | 'q' | 'sort'>>;

/** The list's conditions as the tickets API makes them, its defaults filled in as its schema does. */
const listFilters = (who: Person, p: ListParams) => ticketsListFilters(who, ticketListQuery.parse(p));

/** The API's query of one page (`pageQuery`), sent with the raw driver: no gateway, no service. */
async function rawPage(
  db: mongo.Db,
  filters: Array<Record<string, unknown>>,
  sort: string,
  after?: { v: string; id: string },
): Promise<{ refs: string[]; last?: { v: string; id: string } }> {
  const q = pageQuery(filters, sort, 25, after);
  const rows = await db
    .collection(ROWS_COLLECTION)
    .find(q.filter, { projection: q.projection })
    .sort(q.sort)
    .limit(q.limit)
    .toArray();
  const items = rows.slice(0, 25) as unknown as Array<Record<string, string>>;
  const last = items.at(-1);
  return { refs: items.map((r) => r._id!), last: last ? { v: String(last[q.field]), id: last._id! } : undefined };
}

// ---- the section ----------------------------------------------------------------------------

interface Case {
  name: string;
  gateway: () => Promise<string[] | undefined>;
  raw: () => Promise<string[] | undefined>;
}

export async function listsSection(ctx: Ctx, password: string): Promise<void> {
  const dbName = `bench_${ctx.run}_lists`;
  ctx.log(`lists: a tickets API and a gateway on database ${dbName}`);
  const pair = await listsPair(ctx.stack, ctx.run, dbName);
  const mongoHandle = connectMongo(ctx.stack.mongoUri, dbName, ctx.logger);
  try {
    await mongoHandle.connected;
    const db = mongoHandle.connection.db!;
    const claire = await Session.login(pair.gateway, 'claire@enseigne.example', password);
    const paul = await Session.login(pair.gateway, 'paul@woop.example', password);
    const customer = await claire.get<Person>('/me');
    const agent = await paul.get<Person>('/me');
    if (!customer.organizationId) throw new Error('claire@enseigne.example has no organisation: run `npm run seed`');
    const otherOrg = `${customer.organizationId}-other`;
    const rows = db.collection(ROWS_COLLECTION);
    let seeded = 0;
    const sizes: Record<number, Map<string, Figure & { raw: Figure; same?: boolean }>> = {};
    for (const size of ctx.counts.listSizes) {
      ctx.log(`lists: writing rows ${seeded + 1}…${size}`);
      const t0 = Date.now();
      for (let i = seeded; i < size; i += 1_000) {
        const batch = Array.from({ length: Math.min(1_000, size - i) }, (_, k) => {
          const t = ticket(i + k, customer, agent, otherOrg);
          const { reference, ...state } = t;
          return rowOf(reference, state);
        });
        await rows.insertMany(batch as never[], { ordered: false });
      }
      ctx.log(`lists: ${size - seeded} rows written in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      seeded = size;

      const qs = (p: Record<string, string>) => new URLSearchParams(p).toString();
      const page = async (who: Session, p: Record<string, string>) =>
        (
          await who.get<{ items: Array<{ reference: string }>; nextCursor: string | null }>(`/tickets?${qs(p)}`)
        ).items.map((i) => i.reference);
      // A list past the gateway's timeout at this size is a figure (its errors), not the end of the section.
      const first = await claire
        .get<{ nextCursor: string | null }>('/tickets')
        .catch((): { nextCursor: string | null } => ({ nextCursor: null }));
      const rawFirst = await rawPage(db, listFilters(customer, {}), '-createdAt');
      const list = (name: string, p: ListParams, who: 'customer' | 'agent' = 'customer'): Case => ({
        name,
        gateway: () => page(who === 'customer' ? claire : paul, p),
        raw: async () =>
          (await rawPage(db, listFilters(who === 'customer' ? customer : agent, p), p.sort ?? '-createdAt')).refs,
      });
      const cases: Case[] = [
        list('customer: Demandes ouvertes (default)', {}),
        {
          name: 'customer: next page (cursor)',
          gateway: () => page(claire, first.nextCursor ? { cursor: first.nextCursor } : {}),
          raw: async () => (await rawPage(db, listFilters(customer, {}), '-createdAt', rawFirst.last)).refs,
        },
        list('customer: all statuses', { status: 'all' }),
        list('customer: one status (in_progress)', { status: 'in_progress' }),
        list('customer: Créées par moi', { scope: 'created', status: 'all' }),
        list('customer: shared with me', { scope: 'shared', status: 'all' }),
        list('customer: my organisation', { scope: 'organization' }),
        list('customer: one request type', { requestType: 'report-a-bug', status: 'all' }),
        list('customer: contains "retard"', { q: 'retard', status: 'all' }),
        list('customer: contains "colis facture"', { q: 'colis facture', status: 'all' }),
        list('customer: contains a reference', { q: `SUPPORT-${Math.floor(size / 2) + 1}`, status: 'all' }),
        list('customer: sorted by last update', { sort: '-updatedAt', status: 'all' }),
        list('agent: all open', {}, 'agent'),
        list('agent: contains "étiquette"', { q: 'étiquette' }, 'agent'),
        {
          name: 'agent: the five queue counts',
          gateway: async () => {
            await paul.get('/queues');
            return undefined;
          },
          raw: async () => {
            await Promise.all(QUEUES.map((q) => rows.countDocuments(queryOf([queueFilter(agent, q)]))));
            return undefined;
          },
        },
        ...QUEUES.map((q): Case => ({
          name: `agent: queue ${q}`,
          gateway: async () =>
            (await paul.get<{ items: Array<{ reference: string }> }>(`/queues/${q}`)).items.map((i) => i.reference),
          raw: async () => (await rawPage(db, [queueFilter(agent, q)], 'createdAt')).refs,
        })),
      ];
      const results = new Map<string, Figure & { raw: Figure; same?: boolean }>();
      for (const c of cases) {
        // The same rows both ways: the same query, so a difference is the service's own (a cursor, a default).
        let same: boolean | undefined;
        try {
          same = JSON.stringify(await c.gateway()) === JSON.stringify(await c.raw());
        } catch {
          same = undefined;
        }
        const opts = {
          runs: ctx.counts.listRuns,
          budgetMs: ctx.counts.listBudgetMs,
          // Each query can take seconds on a slow backend: three runs at least, and the comparison
          // above was their warm-up.
          minRuns: Math.min(3, ctx.counts.listRuns),
          warmup: 0,
        };
        const g = await timeSequential(c.gateway, opts);
        const r = await timeSequential(c.raw, opts);
        results.set(c.name, { ...g, raw: r, same });
        const largest = size === Math.max(...ctx.counts.listSizes);
        const ratio = g.p50 / r.p50;
        ctx.rows.push({
          section: `lists, ${size.toLocaleString('en')} tickets`,
          name: c.name,
          measured: g,
          baselineName: 'the same query with the raw driver',
          baseline: r,
          ratio,
          ratioOf: 'p50 through the gateway ÷ p50 raw driver',
          ...(largest
            ? {
                target: 'p99 ≤ 100 ms, p50 ≤ 2 × raw',
                met: g.p99 <= 100 && ratio <= 2 && same === true && g.errors === 0,
              }
            : {}),
          note:
            [
              same === false
                ? "the gateway and the raw query returned different rows (the same query: check the API's parameters)"
                : '',
              same === undefined ? 'rows not compared: a request failed' : '',
              g.errors
                ? `errors: ${Object.entries(g.errorKinds)
                    .map(([k, v]) => `${k} × ${v}`)
                    .join(', ')}`
                : '',
            ]
              .filter(Boolean)
              .join('; ') || undefined,
        });
        if (r.errors > 0) throw new Error(`lists: the raw query of "${c.name}" failed`);
        if (same === false && ctx.quick)
          throw new Error(`lists: "${c.name}" gives other rows through the gateway than the raw query`);
      }
      sizes[size] = results;
    }
    // Growth from the smallest to the largest size, per case.
    const [small, large] = [Math.min(...ctx.counts.listSizes), Math.max(...ctx.counts.listSizes)];
    if (small !== large) {
      for (const [name, big] of sizes[large]!) {
        const little = sizes[small]!.get(name)!;
        ctx.rows.push({
          section: `lists, growth ${small.toLocaleString('en')} → ${large.toLocaleString('en')}`,
          notCharted: true,
          name,
          measured: big,
          baselineName: `the same at ${small.toLocaleString('en')}`,
          baseline: little,
          ratio: big.p50 / little.p50,
          ratioOf: 'p50 large ÷ p50 small (raw driver: ' + (big.raw.p50 / little.raw.p50).toFixed(2) + ')',
        });
      }
    }
  } finally {
    await mongoHandle.connection.dropDatabase().catch(() => undefined);
    await pair.stop();
    const gw = connectMongo(ctx.stack.mongoUri, `${dbName}_gateway`, ctx.logger);
    await gw.connected.then(() => gw.connection.dropDatabase()).catch(() => undefined);
    await gw.close();
    await mongoHandle.close();
  }
}
