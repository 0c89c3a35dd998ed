import { randomUUID } from 'node:crypto';
import { REQUEST_TYPES, TOPICS, type EventEnvelope } from '@woop/contracts';
import { createKafka, createLogger } from '@woop/service-kit';
import { DEMO_PASSWORD } from '../../services/identity/src/seed';
import { eventually } from '../support/eventually';
import { validFields } from '../support/forms';
import { readEvents } from '../support/kafka-events';
import type { PrivateStack } from './stack';

/**
 * The drills' traffic and its audit. A customer files requests and an agent replies on them,
 * each operation with its own Idempotency-Key, retried with that key on 503 / network errors
 * (as a client following Retry-After would) until confirmed or the drill's deadline. Then every
 * operation is checked end to end: one read-model version, one event, one email.
 */
export interface Operation {
  kind: 'create' | 'reply';
  key: string;
  /** A text unique to the operation, found again in the ticket, the event and the email. */
  marker: string;
  reference?: string;
  confirmed: boolean;
  /** Every status answered, in order (0: no answer: connection refused or reset). */
  statuses: number[];
  /** Answers that break the contract during an outage: a 500, a 503 without Retry-After, a hang. */
  defects: string[];
}

export interface DrillReport {
  drill: string;
  attempted: number;
  confirmed: number;
  lost: number;
  duplicated: number;
  /** Events published again under the same id (at-least-once; consumers drop them by id). */
  republished: number;
  /** Emails sent again with the same Message-ID (the documented window; shown once by clients). */
  resent: number;
  /** Temporary refusals (503 with Retry-After, connection refused) met and retried. */
  retried: number;
  defects: string[];
}

const HANG_MS = 15_000;
const log = createLogger('drills', process.env.TEST_LOG_LEVEL ?? 'silent');

async function call(
  url: string,
  init: RequestInit,
): Promise<{ status: number; body: unknown; retryAfter: string | null; contentType: string | null }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(HANG_MS) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text for the report
  }
  return {
    status: res.status,
    body,
    retryAfter: res.headers.get('retry-after'),
    contentType: res.headers.get('content-type'),
  };
}

/** A script's bearer token for a demo account (login, then an API token made by its owner). */
export async function tokenFor(gateway: string, email: string): Promise<string> {
  const login = await fetch(`${gateway}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`login of ${email}: ${login.status} ${await login.text()}`);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const created = await fetch(`${gateway}/api/v1/api-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ name: `drill-${randomUUID().slice(0, 8)}` }),
  });
  if (created.status !== 201) throw new Error(`token of ${email}: ${created.status} ${await created.text()}`);
  return ((await created.json()) as { token: string }).token;
}

const requestType = REQUEST_TYPES.find((t) => t.key === 'ask-a-question') ?? REQUEST_TYPES[0]!;

/**
 * A request filed by the customer and answered by the agent: its client validation window (made
 * short in the drills' stack, TICKET_VALIDATION_WINDOW_DAYS) is a durable timer in its workflow,
 * which validates it on its own when the window ends.
 */
export async function answeredRequest(
  gateway: string,
  customer: string,
  agent: string,
): Promise<{ reference: string; validationDueAt: string }> {
  const post = async (path: string, token: string, body: unknown) => {
    const res = await call(`${gateway}/api/v1${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as { ticket: { reference: string; validationDueAt?: string } }).ticket;
  };
  const { reference } = await post('/tickets', customer, {
    requestType: requestType.key,
    portal: 'retailer',
    summary: 'Exercice : une minuterie en cours pendant la panne',
    description: 'Demande répondue avant la panne, validée seule après.',
    fields: validFields(requestType),
  });
  const act = (action: string, payload: unknown) => post(`/tickets/${reference}/actions/${action}`, agent, { payload });
  await act('qualify', { priority: 'low', billable: false, assignment: { team: 'support' } });
  await act('start', {});
  const { validationDueAt } = await act('resolve', { answer: "Réponse de l'exercice." });
  if (!validationDueAt) throw new Error(`${reference}: resolved without a validation deadline`);
  return { reference, validationDueAt };
}

export class Workload {
  readonly operations: Operation[] = [];

  constructor(
    private readonly stack: PrivateStack,
    private readonly customer: string,
    private readonly agent: string,
    private readonly deadline: number,
  ) {}

  /** Sends one operation until it is confirmed, refused for good, or the deadline passes. */
  private async send(op: Operation, path: string, token: string, body: unknown): Promise<unknown> {
    for (;;) {
      let answer: Awaited<ReturnType<typeof call>> | undefined;
      try {
        answer = await call(`${this.stack.gateway}/api/v1${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': op.key },
          body: JSON.stringify(body),
        });
      } catch (err) {
        const hang = err instanceof Error && err.name === 'TimeoutError';
        if (hang) op.defects.push(`${op.kind} ${op.key}: no answer within ${HANG_MS} ms`);
        op.statuses.push(0);
      }
      if (answer) {
        op.statuses.push(answer.status);
        if (answer.status >= 200 && answer.status < 300) {
          op.confirmed = true;
          return answer.body;
        }
        if (answer.status >= 500 && answer.status !== 503) {
          op.defects.push(`${op.kind} ${op.key}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
        } else if (answer.status === 503) {
          if (!answer.retryAfter) op.defects.push(`${op.kind} ${op.key}: 503 without Retry-After`);
          if (!answer.contentType?.includes('application/problem+json')) {
            op.defects.push(`${op.kind} ${op.key}: 503 not problem+json (${answer.contentType})`);
          }
        } else if (answer.status !== 429) {
          // A refusal for good (4xx): the operation is not confirmed; the audit says so.
          op.defects.push(
            `${op.kind} ${op.key}: refused ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`,
          );
          return undefined;
        }
      }
      if (Date.now() > this.deadline) return undefined;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }

  async create(): Promise<Operation> {
    const marker = `drill${randomUUID().replace(/-/g, '')}`;
    const op: Operation = { kind: 'create', key: randomUUID(), marker, confirmed: false, statuses: [], defects: [] };
    this.operations.push(op);
    const body = (await this.send(op, '/tickets', this.customer, {
      requestType: requestType.key,
      portal: 'retailer',
      summary: `Exercice ${marker}`,
      description: 'Demande créée pendant un exercice de panne.',
      fields: validFields(requestType),
    })) as { ticket?: { reference: string } } | undefined;
    op.reference = body?.ticket?.reference;
    return op;
  }

  async reply(reference: string): Promise<Operation> {
    const marker = `drill${randomUUID().replace(/-/g, '')}`;
    const op: Operation = {
      kind: 'reply',
      key: randomUUID(),
      marker,
      reference,
      confirmed: false,
      statuses: [],
      defects: [],
    };
    this.operations.push(op);
    await this.send(op, `/tickets/${reference}/comments`, this.agent, { body: `Réponse ${marker}` });
    return op;
  }

  /** `rounds` times, `concurrency` clients each file a request then reply on it twice. */
  async burst(rounds: number, concurrency: number, pauseMs = 300): Promise<void> {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = 0; i < rounds; i++) {
          const created = await this.create();
          if (created.reference) {
            await this.reply(created.reference);
            await this.reply(created.reference);
          }
          await new Promise((r) => setTimeout(r, pauseMs));
        }
      }),
    );
  }

  /**
   * Every confirmed operation has exactly one read-model version of its change, one event and
   * one email to the customer; no operation (confirmed or not) happened twice.
   */
  async audit(drill: string, customerEmail: string): Promise<DrillReport> {
    const kafka = createKafka('drills-audit', [this.stack.kafkaBrokers], log);
    const creates = this.operations.filter((o) => o.kind === 'create');
    const replies = this.operations.filter((o) => o.kind === 'reply');
    let lost = 0;
    let duplicated = 0;
    let resent = 0;
    const problems: string[] = [];

    // The read model, as the customer's "Demandes" and the agent's ticket page show it.
    const get = async (path: string, token: string) =>
      call(`${this.stack.gateway}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    for (const op of creates) {
      const list = async () =>
        (
          (await get(`/tickets?q=${encodeURIComponent(op.marker)}&scope=created&status=all`, this.customer)).body as {
            items?: Array<{ reference: string }>;
          }
        ).items ?? [];
      const items = op.confirmed ? await eventually(list, (l) => l.length > 0, 120_000).catch(list) : await list();
      if (items.length > 1) {
        duplicated++;
        problems.push(`create ${op.key}: ${items.length} tickets`);
      }
      if (op.confirmed && items.length === 0) {
        lost++;
        problems.push(`create ${op.key} (${op.reference}): confirmed, not in the list`);
      }
    }
    // A reply confirmed with `projected: false` (its projection was on the killed worker, or the
    // database was down) is recorded but read later: once the activity is retried, within its
    // 30 s startToClose. So each ticket is read until its confirmed replies are on it, as the
    // creates are looked for in the lists, and missing only after that.
    const views = new Map<string, Array<{ body?: string }>>();
    for (const op of replies) {
      if (!views.has(op.reference!)) {
        const markers = replies.filter((o) => o.confirmed && o.reference === op.reference).map((o) => o.marker);
        const activity = async () =>
          (
            (await get(`/tickets/${op.reference}`, this.agent)).body as {
              ticket?: { activity?: Array<{ body?: string }> };
            }
          ).ticket?.activity ?? [];
        const has = (entries: Array<{ body?: string }>) =>
          markers.every((m) => entries.some((a) => a.body?.includes(m)));
        views.set(op.reference!, await eventually(activity, has, 120_000).catch(activity));
      }
      const n = views.get(op.reference!)!.filter((a) => a.body?.includes(op.marker)).length;
      if (n > 1) {
        duplicated++;
        problems.push(`reply ${op.key}: ${n} comments`);
      }
      if (op.confirmed && n === 0) {
        lost++;
        const now = await get(`/tickets/${op.reference}`, this.agent);
        problems.push(
          `reply ${op.key} on ${op.reference}: confirmed, not on the ticket (${now.status}, version ${
            (now.body as { ticket?: { version?: number } }).ticket?.version
          }, statuses ${op.statuses.join(' ')})`,
        );
      }
    }

    // The events: one ticket.created per confirmed create, one ticket.replied per confirmed reply.
    // An event id published twice (an activity retried after Kafka took it but before Temporal
    // heard so: a Temporal restart) is at-least-once delivery, dropped by consumers by its id, and
    // reported as `republished`; two ids for one operation are a duplicate.
    const references = new Set(creates.filter((o) => o.confirmed).map((o) => o.reference!));
    const markerOf = (e: EventEnvelope) => {
      const ref = (e.data.ticket as { reference: string }).reference;
      const body = (e.data as { body?: string }).body;
      return e.type === 'ticket.created' ? `created:${ref}` : `replied:${body?.match(/drill[0-9a-f]{32}/)?.[0]}`;
    };
    const wanted = [
      ...creates.filter((o) => o.confirmed).map((o) => `created:${o.reference}`),
      ...replies.filter((o) => o.confirmed).map((o) => `replied:${o.marker}`),
    ];
    // Partial on timeout: a missing event must show as that one event lost, not as all of them.
    // Done once every confirmed operation has its event (not on a count, which republished
    // copies would reach before the last events arrive).
    const events = await readEvents(
      kafka,
      TOPICS.tickets.name,
      (e) =>
        references.has(String((e.data.ticket as { reference?: string } | undefined)?.reference)) &&
        (e.type === 'ticket.created' || e.type === 'ticket.replied'),
      (es) => {
        const seen = new Set(es.map(markerOf));
        return wanted.every((m) => seen.has(m));
      },
      120_000,
      { partial: true },
    );
    const eventOf = new Map<string, Set<string>>();
    let republished = 0;
    for (const e of events) {
      const ids = eventOf.get(markerOf(e)) ?? new Set<string>();
      if (ids.has(e.id)) republished++;
      eventOf.set(markerOf(e), ids.add(e.id));
    }
    const eventIds: string[] = [];
    const checkEvents = (op: Operation, marker: string) => {
      const ids = [...(eventOf.get(marker) ?? [])];
      if (ids.length > 1) {
        duplicated++;
        problems.push(`${op.kind} ${op.key}: ${ids.length} events (${ids.join(', ')})`);
      }
      if (op.confirmed && ids.length === 0) {
        lost++;
        problems.push(`${op.kind} ${op.key} on ${op.reference}: confirmed, no event`);
      }
      eventIds.push(...ids.slice(0, 1));
    };
    for (const op of creates.filter((o) => o.confirmed)) checkEvents(op, `created:${op.reference}`);
    for (const op of replies.filter((o) => o.confirmed)) checkEvents(op, `replied:${op.marker}`);

    // The emails to the customer: one per event, whatever the restarts.
    type Caught = { to: Array<{ address: string }>; headers: Record<string, string | string[]> };
    const inbox = async () =>
      ((await (await fetch(`${this.stack.mailApi}/email`)).json()) as Caught[]).filter((m) =>
        m.to.some((t) => t.address === customerEmail),
      );
    // Counted by Message-ID: a resend after a death between the SMTP server's acceptance and the
    // "sent" mark (the one window docs/notifications.md documents) carries the same Message-ID, which mail
    // clients show once; it is reported as `resent`, and a second Message-ID is a duplicate.
    const byEvent = (mails: Caught[]) => {
      resent = 0; // the last reading counts
      const counts = new Map<string, number>();
      const ids = new Map<string, Set<string>>();
      for (const m of mails) {
        const id = String(m.headers['x-woop-event-id'] ?? '');
        const messageId = String(m.headers['message-id'] ?? '');
        const seen = ids.get(id) ?? new Set<string>();
        if (seen.has(messageId)) resent++;
        seen.add(messageId);
        ids.set(id, seen);
        counts.set(id, seen.size);
      }
      return counts;
    };
    const counts = byEvent(
      await eventually(
        inbox,
        (mails) => {
          const c = byEvent(mails);
          return eventIds.every((id) => (c.get(id) ?? 0) >= 1);
        },
        120_000,
      ).catch(() => inbox()),
    );
    for (const id of eventIds) {
      const n = counts.get(id) ?? 0;
      if (n === 0) {
        lost++;
        problems.push(`event ${id}: no email`);
      }
      if (n > 1) {
        duplicated++;
        problems.push(`event ${id}: ${n} emails`);
      }
    }

    return {
      drill,
      attempted: this.operations.length,
      confirmed: this.operations.filter((o) => o.confirmed).length,
      lost,
      duplicated,
      republished,
      resent,
      retried: this.operations.reduce((n, o) => n + o.statuses.filter((s) => s === 0 || s === 503).length, 0),
      defects: [...this.operations.flatMap((o) => o.defects), ...problems],
    };
  }
}

/** The drills' table: a header line, then one line per drill. */
export function reportTable(reports: DrillReport[]): string[] {
  return [
    'drill | attempted | confirmed | lost | duplicated | republished (same event id) | resent (same Message-ID) | retried | defects',
    ...reports.map(
      (r) =>
        `${r.drill} | ${r.attempted} | ${r.confirmed} | ${r.lost} | ${r.duplicated} | ${r.republished} | ${r.resent} | ${r.retried} | ${r.defects.length}`,
    ),
  ];
}
