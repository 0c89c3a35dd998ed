import type { Server } from 'node:http';
import express from 'express';
import { connectMongo, createLogger, type VerifiedIdentity } from '@woop/service-kit';
import { DEFAULT_SLA_POLICIES } from '@woop/ticket-domain';
import { PRIORITIES, TICKET_STATUSES, type ActivityEntry, type TicketState } from '@woop/contracts';
import type { RouteContext } from '@woop/tickets/context';
import { ensureTicketIndexes } from '@woop/tickets/queries';
import { reportRoutes } from '@woop/tickets/report-routes';
import { reportPipelines } from '@woop/tickets/reports';
import { ROWS_COLLECTION, rowOf, TICKETS_COLLECTION } from '@woop/tickets/read-model';

/**
 * The reports endpoint's latency at BENCH_REPORT_SIZE requests (10,000 by default): tickets and
 * their rows written with the raw driver into a database of its own (dropped at the end), then
 * 20 calls of `GET /v1/reports` (the service's route, over HTTP) for an admin and for a team
 * lead, beside the same aggregation sent with the raw driver. Not part of `npm run bench`:
 * `node services/tickets/dist/bench/reports-bench.js` after `npx tsc -b`.
 */

const SIZE = Number(process.env.BENCH_REPORT_SIZE ?? 10_000);
const CALLS = 20;
const TYPES = ['ask-a-question', 'delivery-request', 'report-a-bug', 'configuration-request'];
const WEEKS12 = 12 * 7 * 86_400_000;

function ticket(i: number, now: number): TicketState {
  const created = now - Math.floor((i / SIZE) * WEEKS12) - 60_000;
  const at = (ms: number) => new Date(created + ms).toISOString();
  const status = TICKET_STATUSES[(i * 7 + Math.floor(i / 8)) % TICKET_STATUSES.length]!;
  const answered = status !== 'open' && status !== 'assigned';
  const resolved = ['resolved', 'done', 'closed'].includes(status);
  const activity: ActivityEntry[] = Array.from({ length: 8 }, (_, k) => ({
    seq: k + 1,
    at: at(k * 600_000),
    actor: { id: `agent-${i % 5}`, role: 'agent', name: 'Agent' },
    kind: 'comment',
    visibility: 'public',
    body: `Bonjour, nous regardons la commande ${10_000 + i} et revenons vers vous rapidement. `.repeat(3),
  }));
  return {
    reference: `SUPPORT-${i + 1}`,
    requestType: TYPES[(i * 3) % TYPES.length]!,
    organizationId: i % 2 === 0 ? 'org-a' : 'org-b',
    requester: { id: `person-${i % 40}`, name: `Person ${i % 40}` },
    summary: `Demande n°${i}`,
    description: 'Bonjour, la livraison est en retard.',
    confidential: i % 50 === 0,
    status,
    priority: PRIORITIES[i % 4]!,
    qualified: status !== 'open',
    billable: false,
    assignment: { team: i % 3 === 0 ? 'billing' : 'support' },
    escalated: i % 17 === 0,
    escalationTeams: i % 17 === 0 ? ['support-leads'] : [],
    createdAt: at(0),
    updatedAt: at(3_600_000),
    version: 5,
    sla: {
      firstResponse: {
        targetMinutes: 240,
        consumedMinutes: 10,
        ...(answered ? { metAt: at(((i % 11) + 1) * 1_800_000) } : {}),
        ...(i % 13 === 0 ? { breachedAt: at(14_400_000) } : {}),
      },
      resolution: { targetMinutes: 2400, consumedMinutes: 10, ...(status === 'done' ? { metAt: at(86_400_000) } : {}) },
    },
    slaPolicy: DEFAULT_SLA_POLICIES.standard,
    windows: { validationMinutes: 2700, validationReminderMinutes: 540, reopenMinutes: 5400 },
    ...(resolved
      ? { resolution: { answer: 'Réglé.', at: at(7_200_000), by: { id: 'agent-1', role: 'agent', name: 'Agent' } } }
      : {}),
    activity,
  };
}

const pct = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
async function time(label: string, run: () => Promise<unknown>) {
  const ms: number[] = [];
  await run(); // warm-up, not counted
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    await run();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(40)} p50 ${pct(ms, 0.5).toFixed(0).padStart(6)} ms   p99 ${pct(ms, 0.99).toFixed(0).padStart(6)} ms`,
  );
}

async function main() {
  const logger = createLogger('bench', 'warn');
  const dbName = `bench_reports_${process.pid}`;
  const mongo = connectMongo(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017', dbName, logger);
  await mongo.connected;
  const db = mongo.connection.db!;
  let server: Server | undefined;
  try {
    const now = Date.now();
    const t0 = Date.now();
    for (let i = 0; i < SIZE; i += 500) {
      const batch = Array.from({ length: Math.min(500, SIZE - i) }, (_, k) => ticket(i + k, now));
      await db
        .collection(TICKETS_COLLECTION)
        .insertMany(batch.map(({ reference, ...t }) => ({ _id: reference, ...t })) as never[]);
      await db
        .collection(ROWS_COLLECTION)
        .insertMany(batch.map(({ reference, ...t }) => rowOf(reference, t)) as never[]);
    }
    await ensureTicketIndexes(db);
    console.log(`${SIZE} tickets and rows written in ${((Date.now() - t0) / 1000).toFixed(1)} s (database ${dbName})`);

    const admin = { userId: 'admin', role: 'admin', teams: [] } as unknown as VerifiedIdentity;
    const lead = { userId: 'lena', role: 'agent', teams: ['support-leads'] } as unknown as VerifiedIdentity;
    let who = admin;
    const ctx = { caller: () => who, models: { native: () => db } } as unknown as RouteContext;
    const app = express();
    const r = express.Router();
    reportRoutes(ctx, r);
    app.use('/v1', r);
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v1/reports`;
    const call = async () => {
      const res = await fetch(url);
      if (res.status !== 200) throw new Error(`reports answered ${res.status}`);
      return res.json();
    };
    const raw = (w: VerifiedIdentity) => async () => {
      const p = reportPipelines(w, {}, new Date());
      await db.collection(ROWS_COLLECTION).aggregate(p.rows).toArray();
    };
    const sample = (await call()) as { weekly: Array<{ created: number }> };
    console.log(`admin report: ${sample.weekly.reduce((n, w) => n + w.created, 0)} requests created in the period`);
    await time('GET /v1/reports, admin', call);
    await time('raw driver, same aggregation, admin', raw(admin));
    who = lead;
    await time('GET /v1/reports, team lead', call);
    await time('raw driver, same aggregation, lead', raw(lead));
  } finally {
    server?.close();
    await db.dropDatabase().catch(() => undefined);
    await mongo.connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
