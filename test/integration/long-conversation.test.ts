import {
  TICKET_STATE_MAX,
  TICKET_TEXT_MAX,
  ticketWorkflowId,
  type Actor,
  type TicketActionName,
  type TicketActionPayloads,
  type TicketView,
} from '@woop/contracts';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporalPayloadCodecFromEnv } from '@woop/service-kit';
import type { temporal } from '@temporalio/proto';
import { TicketActionRefusedError } from '../../services/tickets/src/api/ticket-client';
import { TICKETS_COLLECTION } from '../../services/tickets/src/model/read-model';
import { newTicket } from '../../packages/ticket-domain/src/testing/fixtures';
import { uniqueReference } from '../support/ids';
import { startTicketHarness, type TicketHarness } from '../support/ticket-harness';

/**
 * Issue 14, defect 4: a ticket froze when its conversation grew (each update answered with the
 * whole state, the projection sent it again, until Temporal refused a 4 MB workflow task). Here,
 * on the real Temporal and FerretDB: a ticket filled with the longest replies up to its limit
 * keeps every change small in history, its read model whole, refuses more text with a clear
 * code, and can still be answered and closed.
 */
const customer: Actor = { id: 'u-claire', role: 'customer', name: 'Claire Martin' };
const agent: Actor = { id: 'a-paul', role: 'agent', name: 'Paul Agent' };
/**
 * What one change may weigh in history: its own text and the ticket's facts (with the last
 * answer, as long as a text may be), at two bytes a character here; never the conversation.
 */
const SMALL = 2 * 2 * TICKET_TEXT_MAX + 20_000;

const size = (p?: temporal.api.common.v1.IPayloads | null) =>
  (p?.payloads ?? []).reduce((n, x) => n + (x.data?.length ?? 0), 0);
/** An update answer sent before the read model had the change (`projected: false`). */
const codec = temporalPayloadCodecFromEnv();
const decoded = async (p: temporal.api.common.v1.IPayloads): Promise<unknown[]> =>
  (await codec.decode(p.payloads ?? [])).map((x) => defaultPayloadConverter.fromPayload(x));
const isUnprojected = async (p: temporal.api.common.v1.IPayloads) =>
  ((await decoded(p))[0] as TicketView | undefined)?.projected === false;

describe('a long conversation (real Temporal and FerretDB)', () => {
  let h: TicketHarness;
  /**
   * What the real projection was given, per ticket: where its delta starts, how many entries, its
   * weight. Recorded around the real activity (it still writes): a local activity's input is not
   * in history, only its result.
   */
  const projected = new Map<string, Array<{ from: number; count: number; bytes: number }>>();
  beforeAll(async () => {
    h = await startTicketHarness({
      around: (real) => ({
        ...real,
        async projectTicketChange(change) {
          const seen = projected.get(change.ticket.reference) ?? [];
          seen.push({
            from: change.activityFrom,
            count: change.ticket.activity.length,
            bytes: Buffer.byteLength(JSON.stringify(change)),
          });
          projected.set(change.ticket.reference, seen);
          return real.projectTicketChange(change);
        },
      }),
    });
  });
  afterAll(() => h.close());

  /** Answers sent before their change was projected (see the first test). */
  let unprojected = 0;
  const act = async <A extends TicketActionName>(
    ref: string,
    actor: Actor,
    action: A,
    payload: TicketActionPayloads[A],
  ) => {
    const view = await h.tickets.act(ref, action, { actor, payload });
    if (view.projected === false) unprojected++;
    return view;
  };

  it('keeps each change small, the read model whole, refuses text at the limit and still closes', async () => {
    const ticket = newTicket({ reference: uniqueReference() });
    const ref = ticket.reference;
    if ((await h.tickets.create(ticket)).view.projected === false) unprojected++;
    await act(ref, agent, 'qualify', { priority: 'medium', billable: false, assignment: { agentId: 'a-paul' } });
    await act(ref, agent, 'start', {});

    // The longest replies, two bytes a character, until the limit refuses one.
    const long = (i: number) => `Réponse ${i} ${'é'.repeat(TICKET_TEXT_MAX - 20)}`;
    let sent = 0;
    let refused: TicketActionRefusedError | undefined;
    while (!refused) {
      try {
        const view = await act(ref, agent, 'reply', { body: long(sent) });
        sent++;
        // Answered once projected, without the conversation (the API reads it from the read model).
        // A projection slower than the workflow's wait (a busy database: FerretDB rewrites the whole
        // row) is answered with the whole ticket instead, by design; it must stay the exception.
        if (view.projected === false) expect(view.ticket.activity.length).toBeGreaterThan(sent);
        else expect(view).toMatchObject({ projected: true, ticket: { activity: [] } });
      } catch (err) {
        if (!(err instanceof TicketActionRefusedError)) throw err;
        refused = err;
      }
      if (sent > 2 * (TICKET_STATE_MAX / TICKET_TEXT_MAX)) throw new Error('never refused');
    }
    expect(refused.refusal).toMatchObject({ code: 'conversation_limit_reached', status: 'in_progress' });
    expect(sent).toBeGreaterThan(TICKET_STATE_MAX / (2 * TICKET_TEXT_MAX) - 3);

    // The read model holds every reply once, in order, as the workflow has them.
    const doc = await h.mongo.connection.collection(TICKETS_COLLECTION).findOne({ _id: ref as never });
    const replies = (doc!.activity as Array<{ kind: string; body?: string }>).filter((e) => e.kind === 'comment');
    expect(replies.map((e) => e.body)).toEqual(Array.from({ length: sent }, (_, i) => long(i)));
    const state = (await h.tickets.view(ref)).ticket;
    expect(doc!.version).toBe(state.version);
    expect(doc!.activity).toHaveLength(state.activity.length);
    expect(Buffer.byteLength(JSON.stringify(state))).toBeGreaterThan(TICKET_STATE_MAX - 3 * 2 * TICKET_TEXT_MAX);

    // The ticket still moves on: answered (an answer goes through up to the hard limit), validated.
    await act(ref, agent, 'resolve', { answer: long(sent) });
    const done = await act(ref, customer, 'acceptResolution', {});
    expect(done.ticket.status).toBe('done');
    const read = await h.mongo.connection.collection(TICKETS_COLLECTION).findOne({ _id: ref as never });
    expect(read).toMatchObject({ status: 'done', version: done.ticket.version });
    const final = (await h.tickets.view(ref)).ticket;
    expect(read!.activity).toEqual(final.activity);

    // In history, no change carries the conversation again: an update's request and its answer
    // once projected stay small; each projection carries the entries since the one before, each
    // event batch its own events, every one of them small. A projection slower than the replies
    // (a loaded database) carries several, never an entry twice: the conversation goes once.
    // Every run's: a history grown large (whole-ticket answers on a loaded machine) makes the
    // workflow continue as new, and the new run projects only what follows.
    const events: temporal.api.history.v1.IHistoryEvent[] = [];
    for (let runId: string | undefined = undefined; ;) {
      const run = await h.client.workflow.getHandle(ticketWorkflowId(ref), runId).fetchHistory();
      events.unshift(...(run.events ?? []));
      runId = run.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
      if (!runId) break;
    }
    const heavy: Array<[string, number]> = [];
    let wholeAnswers = 0;
    for (const e of events) {
      // Activities (publishing; the projection when its local attempt failed) carry their input.
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (scheduled?.input) {
        const name = scheduled.activityType?.name ?? '';
        const [arg] = await decoded(scheduled.input);
        let items = 1;
        if (name === 'projectTicketChange') {
          items = Math.max(1, (arg as { ticket: { activity: unknown[] } }).ticket.activity.length);
        } else if (name === 'publishTicketEvents') items = (arg as unknown[]).length;
        if (size(scheduled.input) > items * SMALL) heavy.push([`activity ${name} of ${items}`, size(scheduled.input)]);
      }
      // A local activity's marker holds its result ('written' or 'gap'), never the state.
      const marker = e.markerRecordedEventAttributes;
      if (marker) {
        const weight = Object.values(marker.details ?? {}).reduce((n, p) => n + size(p), 0);
        if (weight > SMALL) heavy.push([`marker ${marker.markerName}`, weight]);
      }
      const completed = e.workflowExecutionUpdateCompletedEventAttributes;
      const answer = completed?.outcome?.success;
      if (answer && (await isUnprojected(answer))) wholeAnswers++;
      else if (completed && size(answer) > SMALL) heavy.push(['update answer', size(answer)]);
      const accepted = e.workflowExecutionUpdateAcceptedEventAttributes;
      const request = accepted?.acceptedRequest?.input?.args;
      if (accepted && size(request) > SMALL) heavy.push(['update request', size(request)]);
    }
    expect(heavy).toEqual([]);
    // The projections, each once (a local attempt that timed out may have written before its
    // activity retried the same delta): in order, each starting where the one before ended, so
    // every entry went once; each small for what it carries.
    const deltas = [...new Map((projected.get(ref) ?? []).map((p) => [`${p.from}:${p.count}`, p])).values()].sort(
      (a, b) => a.from - b.from,
    );
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((d) => d.from)).toEqual(
      deltas.map((_, i) => (i === 0 ? 0 : deltas[i - 1]!.from + deltas[i - 1]!.count)),
    );
    expect(deltas.reduce((n, d) => n + d.count, 0)).toBe(final.activity.length);
    expect(deltas.filter((d) => d.bytes > Math.max(1, d.count) * SMALL)).toEqual([]);
    // The whole-ticket answers are the ones answered before their projection, no more.
    expect(wholeAnswers).toBe(unprojected);
  }, 300_000);

  it('sends the whole state again when the read model is not where a delta starts', async () => {
    const ticket = newTicket({ reference: uniqueReference() });
    const ref = ticket.reference;
    await h.tickets.create(ticket);
    await act(ref, customer, 'comment', { body: 'Premier commentaire' });
    // The read model loses its count (a copy restored from before deltas, or an older writer).
    const tickets = h.mongo.connection.collection(TICKETS_COLLECTION);
    await tickets.updateOne({ _id: ref as never }, { $unset: { activityCount: '' } });
    const view = await act(ref, customer, 'comment', { body: 'Deuxième commentaire' });
    const doc = await tickets.findOne({ _id: ref as never });
    const state = (await h.tickets.view(ref)).ticket;
    expect(doc).toMatchObject({ version: view.ticket.version, activityCount: state.activity.length });
    const bodies = (d: { activity: Array<{ body?: string }> }) => d.activity.map((e) => e.body).filter(Boolean);
    expect(bodies(doc as never)).toEqual(['Premier commentaire', 'Deuxième commentaire']);
    expect(bodies(state)).toEqual(bodies(doc as never));
  }, 120_000);
});
