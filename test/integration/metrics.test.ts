import { REQUEST_TYPES, TOPICS } from '@woop/contracts';
import { validFields } from '../support/forms';
import { eventually } from '../support/eventually';
import { uniqueId } from '../support/ids';
import { person } from '../support/people';
import { freePort, spawnNode, waitForStatus, type Spawned } from '../support/processes';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';

const servers = {
  MONGODB_URI: process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017',
  KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
};
const db = (name: string) => uniqueId(name).replace(/-/g, '_');
const text = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
};
/** The value of one sample, `undefined` when the series is absent. */
function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/**
 * Issue #15: every service and the worker expose Prometheus metrics, the named series among
 * them, from their real main; the gateway never on its public port.
 */
describe('metrics endpoints, on the real service processes', () => {
  const running: Spawned[] = [];
  afterAll(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop()));
  }, 30_000);

  it('expose process, HTTP and domain series; the worker also the Temporal SDK runtime', async () => {
    const [identity, tickets, worker, sdk, notifications, gateway, gatewayMetrics] = await Promise.all(
      Array.from({ length: 7 }, () => freePort()),
    );
    const ticketsDb = db('tickets');
    const taskQueue = uniqueId('metrics');
    const ticketsGroup = uniqueId('metrics-tickets');
    const notificationsGroup = uniqueId('metrics-notifications');
    const start = (entry: string, env: Record<string, string>) => {
      const p = spawnNode(entry, [], { ...servers, ...env });
      running.push(p);
      return p;
    };
    start('services/identity/dist/main.js', { IDENTITY_PORT: String(identity), MONGODB_DB: db('identity') });
    const ticketsEnv = {
      MONGODB_DB: ticketsDb,
      TICKETS_TASK_QUEUE: taskQueue,
      TICKET_REFERENCE_FLOOR: String(Date.now() * 10),
    };
    start('services/tickets/dist/api/main.js', {
      ...ticketsEnv,
      TICKETS_PORT: String(tickets),
      TICKETS_GROUP_ID: ticketsGroup,
      TICKETS_USERS_FROM_BEGINNING: 'false',
    });
    start('services/tickets/dist/worker/main.js', {
      ...ticketsEnv,
      TICKETS_WORKER_PORT: String(worker),
      TEMPORAL_SDK_METRICS_ADDRESS: `127.0.0.1:${sdk}`,
    });
    start('services/notifications/dist/main.js', {
      NOTIFICATIONS_PORT: String(notifications),
      MONGODB_DB: db('notifications'),
      NOTIFICATIONS_GROUP_ID: notificationsGroup,
      NOTIFICATIONS_FROM_BEGINNING: 'false',
    });
    start('services/gateway/dist/main.js', {
      GATEWAY_PORT: String(gateway),
      GATEWAY_METRICS_PORT: String(gatewayMetrics),
      MONGODB_DB: db('gateway'),
      IDENTITY_URL: `http://127.0.0.1:${identity}`,
      TICKETS_URL: `http://127.0.0.1:${tickets}`,
      NOTIFICATIONS_URL: `http://127.0.0.1:${notifications}`,
    });
    const origins = [identity, tickets, worker, notifications, gateway].map((p) => `http://127.0.0.1:${p}`);
    await Promise.all(origins.map((o) => waitForStatus(`${o}/healthz`, 200, 60_000)));

    // The gateway's public port has no /metrics (and is not proxied anywhere): a 404 like any unknown page.
    expect((await text(`http://127.0.0.1:${gateway}/metrics`)).status).toBe(404);
    // One request each that no route takes: an HTTP series with the shared "unmatched" route.
    for (const o of origins) await fetch(`${o}/no-such-route/SUPPORT-12`);

    const metricsOf = {
      identity: `http://127.0.0.1:${identity}/metrics`,
      tickets: `http://127.0.0.1:${tickets}/metrics`,
      worker: `http://127.0.0.1:${worker}/metrics`,
      notifications: `http://127.0.0.1:${notifications}/metrics`,
      gateway: `http://127.0.0.1:${gatewayMetrics}/metrics`,
    };
    const common = [
      /^process_cpu_user_seconds_total \d/m,
      /^process_resident_memory_bytes \d/m,
      /^nodejs_eventloop_lag_seconds \d/m,
      // "unmatched", or the gateway's catch-all page route (a pattern, never the path).
      /^http_server_request_duration_seconds_count\{method="GET",route="[^"]+",status_code="404"\} [1-9]/m,
    ];
    const expected: Record<keyof typeof metricsOf, RegExp[]> = {
      identity: [/^woop_outbox_backlog_documents\{collection="users"\} \d+$/m],
      tickets: [
        new RegExp(
          `^kafka_consumer_lag_messages\\{group="${ticketsGroup}",topic="${TOPICS.users.name}",partition="0"\\} \\d+$`,
          'm',
        ),
        /^woop_ticket_actions_total\{action="comment",outcome="accepted"\} 0$/m,
        /^woop_ticket_actions_total\{action="qualify",outcome="refused"\} 0$/m,
      ],
      worker: [/^# TYPE woop_ticket_sla_warnings_total counter$/m, /^# TYPE woop_ticket_sla_breaches_total counter$/m],
      notifications: [
        new RegExp(
          `^kafka_consumer_lag_messages\\{group="${notificationsGroup}",topic="${TOPICS.tickets.name}",partition="5"\\} \\d+$`,
          'm',
        ),
        new RegExp(
          `^kafka_consumer_lag_messages\\{group="${notificationsGroup}",topic="${TOPICS.users.name}",partition="0"\\} \\d+$`,
          'm',
        ),
        /^# TYPE woop_emails_sent_total counter$/m,
        /^# TYPE woop_email_send_failures_total counter$/m,
        /^# TYPE woop_emails_dead_lettered_total counter$/m,
      ],
      gateway: [],
    };
    for (const [service, url] of Object.entries(metricsOf) as Array<[keyof typeof metricsOf, string]>) {
      const { status, body } = await eventually(
        () => text(url),
        (r) => r.status === 200 && [...common, ...expected[service]].every((re) => re.test(r.body)),
        20_000,
      ).catch(async () => text(url));
      expect({ service, status }).toEqual({ service, status: 200 });
      for (const re of [...common, ...expected[service]])
        expect({ service, missing: re.test(body) ? null : String(re) }).toEqual({ service, missing: null });
      // Route templates only: no ticket reference (an id) in any label.
      expect(body).not.toContain('SUPPORT-12');
    }

    // The Temporal SDK's own metrics, on their own port, once the worker polls.
    const sdkMetrics = await eventually(
      () => text(`http://127.0.0.1:${sdk}/metrics`),
      (r) => r.status === 200 && /^temporal_\w+/m.test(r.body),
      20_000,
    );
    expect(sdkMetrics.body).toMatch(
      new RegExp(`^temporal_worker_task_slots_available\\{.*task_queue="${taskQueue}"`, 'm'),
    );
  }, 120_000);
});

const claire = person('claire', 'customer', { organizationId: 'org-enseigne' });

describe('ticket action counter, through the tickets API and its worker', () => {
  let api: TicketsApi;
  beforeAll(async () => {
    api = await startTicketsApi();
  });
  afterAll(() => api.stop());

  it('counts an accepted and a refused action by type', async () => {
    const metrics = async () => (await fetch(`${new URL(api.base).origin}/metrics`)).text();
    const accepted = 'woop_ticket_actions_total{action="comment",outcome="accepted"}';
    const refused = 'woop_ticket_actions_total{action="qualify",outcome="refused"}';
    const before = await metrics();

    const type = REQUEST_TYPES.find((t) => t.key === 'report-a-bug')!;
    const created = await api.call(claire, 'POST', '/tickets', {
      requestType: type.key,
      portal: 'retailer',
      summary: 'Résumé',
      description: 'Détails',
      fields: validFields(type),
    });
    expect(created.status).toBe(201);
    const { reference } = created.body.ticket as { reference: string };
    const comment = await api.call(claire, 'POST', `/tickets/${reference}/actions/comment`, {
      payload: { body: 'Merci' },
    });
    expect(comment.status).toBe(200);
    const qualify = { payload: { priority: 'high', billable: false } };
    expect((await api.call(claire, 'POST', `/tickets/${reference}/actions/qualify`, qualify)).status).toBe(409);

    const after = await metrics();
    expect(sample(after, accepted)).toBe(sample(before, accepted)! + 1);
    expect(sample(after, refused)).toBe(sample(before, refused)! + 1);
    // Nothing else moved: the refusal is not counted as a failure, the comment once.
    expect(sample(after, 'woop_ticket_actions_total{action="comment",outcome="failed"}')).toBe(0);
    expect(sample(after, 'woop_ticket_actions_total{action="qualify",outcome="accepted"}')).toBe(
      sample(before, 'woop_ticket_actions_total{action="qualify",outcome="accepted"}'),
    );
  });
});
