// First: tracing must be on before the harnesses load the services.
import { spans, spansOfTrace, tracing } from '../support/in-memory-tracing';
import { trace, SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { REQUEST_TYPES } from '@woop/contracts';
import { ApiClient } from '../support/api-client';
import { eventually } from '../support/eventually';
import { validFields } from '../support/forms';
import { originOf, startGateway, type RunningGateway } from '../support/gateway-harness';
import { startIdentity, type RunningIdentity } from '../support/identity-harness';
import { uniqueId } from '../support/ids';
import { startNotifications } from '../support/notifications-harness';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';
import { DEMO_PASSWORD } from '../../services/identity/src/seed';

const dump = (list: ReadableSpan[]) =>
  list.map((s) => `${s.name} [${SpanKind[s.kind]}] ${JSON.stringify(s.attributes)}`).join('\n');

/**
 * One trace per user action, across every process boundary: the customer's comment through the
 * gateway, the tickets service, the Temporal update (client and worker interceptors), the
 * workflow and its activities, the Kafka publish, the notifications consumer and the SMTP send,
 * all with one trace id. The services run in this process (see the harnesses), so one in-memory
 * exporter sees the spans of all of them, the workflow sandbox's included (through its sink).
 */
describe('tracing: one trace from a click to the email', () => {
  let identity: RunningIdentity;
  let tickets: TicketsApi;
  let notifications: Awaited<ReturnType<typeof startNotifications>>;
  let gateway: RunningGateway;
  let anonymous: ApiClient;

  beforeAll(async () => {
    tickets = await startTicketsApi();
    notifications = await startNotifications();
    identity = await startIdentity();
    gateway = await startGateway({
      IDENTITY_URL: originOf(identity.base),
      TICKETS_URL: originOf(tickets.base),
      NOTIFICATIONS_URL: originOf(notifications.base),
      // A loaded machine (the other suites on the same servers) can take seconds per start.
      UPSTREAM_TIMEOUT_MS: '20000',
    });
    anonymous = await ApiClient.connect(gateway.origin);
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([identity?.stop(), tickets?.stop(), notifications?.stop()]);
    await tracing.shutdown();
  });

  const has = (list: ReadableSpan[], what: string, test: (s: ReadableSpan) => boolean) =>
    list.some(test) ? undefined : what;
  // The services share this process: each one's server spans are told apart by its port.
  const servedBy = (base: string, path: string) => (s: ReadableSpan) =>
    s.kind === SpanKind.SERVER &&
    s.attributes['server.port'] === Number(new URL(base).port) &&
    s.attributes['url.path'] === path;
  /** Waits until the trace has everything `missing` asks for; fails naming what it lacks. */
  const complete = async (id: string, missing: (list: ReadableSpan[]) => Array<string | undefined>) => {
    const lacking = () => missing(spansOfTrace(id)).filter(Boolean);
    await eventually(
      async () => lacking(),
      (m) => m.length === 0,
      30_000,
    ).catch(() => {
      throw new Error(`missing from the trace: ${lacking().join(', ')}\n${dump(spansOfTrace(id))}`);
    });
    return spansOfTrace(id);
  };

  const login = async (email: string): Promise<ApiClient> => {
    const client = anonymous.fresh();
    const res = await client.post<{ csrfToken: string }>('/auth/login', { email, password: DEMO_PASSWORD });
    expect(res.status).toBe(200);
    client.csrfToken = res.body.csrfToken;
    return client;
  };

  it("puts a customer's comment, its workflow update, its event and its email in one trace", async () => {
    const claire = await login('claire@enseigne.example');
    const paul = await login('paul@woop.example');
    const type = REQUEST_TYPES.find((t) => t.key === 'report-a-bug')!;
    const filed = await claire.post<{ ticket: { reference: string } }>('/tickets', {
      requestType: type.key,
      portal: 'retailer',
      summary: 'Écran blanc au paiement',
      description: 'Détails',
      fields: validFields(type),
    });
    expect({ status: filed.status, body: filed.body }).toMatchObject({ status: 201 });
    const { reference } = filed.body.ticket;
    // Assigned to Paul: a customer's comment is emailed to the assigned agent. A request goes to
    // an agent the tickets service knows (identity's seed reaches it over the users topic).
    await tickets.knowsAgent('user-paul', 30_000);
    const qualified = await paul.post(`/tickets/${reference}/actions/qualify`, {
      payload: { priority: 'high', billable: false, assignment: { agentId: 'user-paul' } },
    });
    expect(qualified.status).toBe(200);
    // The workflow flushes side effects one batch after another: a change made while the
    // qualification's batch still runs goes out with it, in the qualification's trace. So the
    // comment comes once that batch has reached the notifications service.
    await eventually(
      async () =>
        spans
          .getFinishedSpans()
          .some((s) => s.name === 'notify ticket.qualified' && s.attributes['ticket.reference'] === reference),
      Boolean,
      30_000,
    );
    await new Promise((r) => setTimeout(r, 500));

    // The notifications service knows the agent (from identity's user.* events) before the click.
    await eventually(() => notifications.service.models.Recipient.findById('user-paul').lean(), Boolean, 30_000);

    // The click: a root span of the test's own, as a browser's instrumentation would open.
    const comment = `Le bug revient ${uniqueId('texte')}`;
    const { id, status } = await trace.getTracer('test').startActiveSpan('customer comments', async (span) => {
      const res = await claire.post(`/tickets/${reference}/comments`, { body: comment });
      span.end();
      return { id: span.spanContext().traceId, status: res.status };
    });
    expect(status).toBe(200);

    const inTrace = await complete(id, (list) => [
      has(list, 'gateway', servedBy(gateway.origin, `/api/v1/tickets/${reference}/comments`)),
      has(list, 'tickets', servedBy(tickets.base, `/v1/tickets/${reference}/actions/comment`)),
      has(list, 'workflow update (client)', (s) => s.name === 'StartWorkflowUpdate:comment'),
      has(list, 'workflow update (worker)', (s) => s.name === 'HandleUpdate:comment'),
      has(list, 'activity', (s) => s.name.startsWith('RunActivity:')),
      has(
        list,
        'kafka publish',
        (s) => s.kind === SpanKind.PRODUCER && s.attributes['event.type'] === 'ticket.commented',
      ),
      has(list, 'notifications consumer', (s) => s.name === 'notify ticket.commented'),
      has(list, 'email.render', (s) => s.name === 'email.render'),
      has(list, 'email.send', (s) => s.name === 'email.send' && s.attributes['email.status'] === 'sent'),
    ]);
    expect(inTrace.filter((s) => s.attributes['ticket.reference'] === reference).length).toBeGreaterThan(3);
    // No personal data: neither the customer's address nor the comment's text, in any attribute.
    const everything = JSON.stringify(spans.getFinishedSpans().map((s) => [s.name, s.attributes, s.events]));
    expect(everything).not.toContain('claire@enseigne.example');
    expect(everything).not.toContain(comment);
  });
  it('puts a sign-up, its outbox row, its event and its email in one trace', async () => {
    const email = `${uniqueId('trace')}@enseigne.example`;
    const { id, status } = await trace.getTracer('test').startActiveSpan('visitor signs up', async (span) => {
      const res = await anonymous.fresh().post('/auth/signup', { email });
      span.end();
      return { id: span.spanContext().traceId, status: res.status };
    });
    expect(status).toBe(202);
    // identity writes the event into its outbox with the request's trace; the relay publishes
    // it later, in that trace.
    await complete(id, (list) => [
      has(list, 'gateway', servedBy(gateway.origin, '/api/v1/auth/signup')),
      has(list, 'identity', servedBy(identity.base, '/v1/signup')),
      has(
        list,
        'kafka publish',
        (s) => s.kind === SpanKind.PRODUCER && s.attributes['event.type'] === 'user.signup_requested',
      ),
      has(list, 'notifications consumer', (s) => s.name === 'notify user.signup_requested'),
      has(list, 'email.send', (s) => s.name === 'email.send' && s.attributes['email.status'] === 'sent'),
    ]);
    const everything = JSON.stringify(spans.getFinishedSpans().map((s) => [s.name, s.attributes, s.events]));
    expect(everything).not.toContain(email);
  });
});
