/**
 * `npm run bench`: the "Demandes" list and agents' queues on the real database, against a
 * baseline measured in the same run (a lookup by reference). Prints figures and ratios; the
 * targets are ratios, so a slower or busier machine moves both sides. Not a test: nothing here
 * asserts on time; the exit code says whether the targets were met.
 */
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import {
  OPEN_STATUSES,
  TICKET_STATUSES,
  ticketListQuery,
  type TicketListQuery,
  type TicketState,
} from '@woop/contracts';
import { connectMongo, createLogger, type VerifiedIdentity } from '@woop/service-kit';
import { DEFAULT_SLA_POLICIES } from '@woop/workflows';
import { ensureTicketIndexes, listTickets, queueCounts, queuePage } from '../api/queries';
import { ROWS_COLLECTION, rowOf, TICKETS_COLLECTION } from '../model/read-model';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 5_000);
const ORGS = Number(process.env.BENCH_ORGS ?? 50);
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const URI = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017';

const WORDS = ['livraison', 'colis', 'étiquette', 'facture', 'retard', 'adresse', 'créneau', 'transporteur'];
const pick = <T>(items: readonly T[], i: number): T => items[i % items.length]!;

function ticket(i: number): Omit<TicketState, 'reference'> & { _id: string } {
  const org = `org-${i % ORGS}`;
  const requester = `user-${i % (ORGS * 4)}`;
  const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  const status = pick(TICKET_STATUSES, i * 7);
  const policy = DEFAULT_SLA_POLICIES.standard;
  const state = {
    _id: `SUPPORT-${i + 1}`,
    requestType: pick(['ask-a-question', 'delivery-request', 'report-a-bug', 'configuration-request'], i),
    organizationId: org,
    requester: { id: requester, name: `Person ${requester}` },
    sharedWith: i % 10 === 0 ? [{ id: `user-${(i + 1) % (ORGS * 4)}`, name: 'Someone' }] : [],
    summary: `${pick(WORDS, i)} ${pick(WORDS, i * 3 + 1)} n°${i}`,
    description: `Bonjour, ${pick(WORDS, i * 5 + 2)} pour la commande ${10_000 + i}. `.repeat(4),
    confidential: i % 50 === 0,
    status,
    priority: pick(['low', 'medium', 'high', 'critical'] as const, i),
    qualified: status !== 'open',
    billable: false,
    assignment: { team: 'support', ...(i % 3 === 0 ? {} : { agentId: `agent-${i % 5}` }) },
    escalated: i % 17 === 0,
    escalationTeams: i % 17 === 0 ? ['support-leads'] : [],
    createdAt: at,
    updatedAt: at,
    version: 3,
    sla: {
      firstResponse: { targetMinutes: 240, consumedMinutes: 10, ...(i % 13 === 0 ? { warnedAt: at } : {}) },
      resolution: { targetMinutes: 2400, consumedMinutes: 10, ...(i % 17 === 0 ? { breachedAt: at } : {}) },
    },
    slaPolicy: policy,
    windows: { validationMinutes: 2700, validationReminderMinutes: 540, reopenMinutes: 5400 },
    activity: Array.from({ length: 6 }, (_, seq) => ({
      seq: seq + 1,
      at,
      actor: { id: requester, role: 'customer' as const, name: 'x' },
      kind: 'comment' as const,
      visibility: 'public' as const,
      body: `Message ${seq} ${pick(WORDS, seq)}`,
    })),
  };
  return state;
}

const person = (extra: Partial<VerifiedIdentity>): VerifiedIdentity => ({
  userId: 'user-7',
  role: 'customer',
  name: 'Bench',
  email: 'bench@example.test',
  orgAdmin: false,
  teams: [],
  locale: 'fr',
  ...extra,
});

async function measure(name: string, run: () => Promise<unknown>) {
  for (let i = 0; i < 3; i++) await run(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { name, p50: at(0.5), p95: at(0.95) };
}

async function main() {
  const dbName = `bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const mongo = connectMongo(URI, dbName, createLogger('bench', 'warn'));
  await mongo.connected;
  const db = mongo.connection.db!;
  try {
    console.log(`seeding ${TICKETS} tickets over ${ORGS} organisations into ${dbName}…`);
    await ensureTicketIndexes(db);
    const t0 = performance.now();
    for (let i = 0; i < TICKETS; i += 500) {
      const batch = Array.from({ length: Math.min(500, TICKETS - i) }, (_, k) => ticket(i + k));
      await db.collection(TICKETS_COLLECTION).insertMany(batch as never[]);
      await db.collection(ROWS_COLLECTION).insertMany(batch.map((t) => rowOf(t._id, t)) as never[]);
    }
    console.log(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${RUNS} runs per case\n`);

    const customer = person({ userId: 'user-7', organizationId: 'org-7' });
    const agent = person({ userId: 'agent-1', role: 'agent', teams: ['support'] });
    const q = (query: Partial<Record<keyof TicketListQuery, string>>) => ticketListQuery.parse(query);
    const secondPage = (await listTickets(db, customer, q({}))).nextCursor ?? undefined;

    const baseline = await measure('baseline: one ticket by reference', () =>
      db.collection(TICKETS_COLLECTION).findOne({ _id: 'SUPPORT-777' as never }),
    );
    const cases = [
      await measure('customer: Demandes ouvertes, first page', () => listTickets(db, customer, q({}))),
      await measure('customer: next page (cursor)', () =>
        listTickets(db, customer, q(secondPage ? { cursor: secondPage } : {})),
      ),
      await measure('customer: La demande contient "retard"', () =>
        listTickets(db, customer, q({ q: 'retard', status: 'all' })),
      ),
      await measure('customer: Créées par moi, all statuses', () =>
        listTickets(db, customer, q({ scope: 'created', status: 'all' })),
      ),
      await measure('agent: all open, first page', () => listTickets(db, agent, q({}))),
      await measure('agent: queue counts (5 queues)', () =>
        queueCounts(db, agent, ['unassigned', 'mine', 'team', 'sla_at_risk', 'sla_breached']),
      ),
      await measure('agent: SLA breached queue page', () => queuePage(db, agent, 'sla_breached', { limit: 25 })),
    ];

    // Target: a list page costs at most TARGET_RATIO lookups by reference on the same server;
    // the five queue counts, five pages.
    const TARGET_RATIO = Number(process.env.BENCH_TARGET_RATIO ?? 20);
    const target = (name: string) => (name.includes('counts') ? 5 : 1) * TARGET_RATIO;
    const fmt = (n: number) => n.toFixed(2).padStart(8);
    console.log(`${'case'.padEnd(44)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'×base'.padStart(7)}  target`);
    console.log(`${baseline.name.padEnd(44)} ${fmt(baseline.p50)} ${fmt(baseline.p95)} ${'1.0'.padStart(7)}`);
    let met = true;
    for (const c of cases) {
      const ratio = c.p50 / baseline.p50;
      const ok = ratio <= target(c.name);
      met &&= ok;
      console.log(
        `${c.name.padEnd(44)} ${fmt(c.p50)} ${fmt(c.p95)} ${ratio.toFixed(1).padStart(7)}  ${ok ? 'ok' : 'MISSED'} (≤ ${target(c.name)}×)`,
      );
    }
    console.log(`\nopen statuses: ${OPEN_STATUSES.join(', ')}; ${met ? 'all targets met' : 'some targets missed'}`);
    process.exitCode = met ? 0 : 1;
  } finally {
    await db.dropDatabase();
    await mongo.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
