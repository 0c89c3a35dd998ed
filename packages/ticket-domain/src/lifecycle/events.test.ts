import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  makeTicketEvent,
  parseTicketEvent,
  TICKET_ACTIONS,
  TICKET_EVENT_TYPES,
  ticketFactsOf,
  upgradeTicketEvents,
  type Actor,
  type EventEnvelope,
  type TicketActionName,
  type TicketActionPayloads,
  type TicketChange,
  type TicketState,
} from '@woop/contracts';
import { DEVELOPMENT_PAYLOAD_KEY, PayloadEncryptionCodec } from '@woop/service-kit';
import { ADMIN, AGENT, CUSTOMER, newTicket } from '../testing/fixtures';
import { advanceTime, allowedActions, applyAction, createTicket, nextDueAt, refusal } from '.';

/**
 * The workflow's events against their contract (packages/contracts/src/tickets/events.ts): every
 * action in every status it is allowed in, and everything time does, makes events the contract
 * describes, one per action; and the events recorded histories hold (version 1) still read.
 */

const T0 = new Date('2026-11-30T08:00:00Z');
const hugo = { id: 'c-hugo', name: 'Hugo Martin' };

/** A valid payload of each action (the contract's schemas accept them). */
const SAMPLES: { [A in TicketActionName]: Array<TicketActionPayloads[A]> } = {
  qualify: [
    { priority: 'high', billable: true, assignment: { agentId: 'a-paul' } },
    { priority: 'medium', billable: false, requestType: 'report-a-bug' },
  ],
  assign: [{ agentId: 'a-other', team: 'support' }],
  start: [{}],
  requestInformation: [{ question: 'Numéro de commande ?' }],
  reply: [{ body: 'Nous regardons.' }],
  addInternalNote: [{ body: 'Client connu' }],
  changePriority: [{ priority: 'critical', reason: 'Production à l’arrêt' }],
  resolve: [{ answer: 'Livrée.' }],
  reject: [{ reason: 'Hors périmètre' }],
  provideInformation: [{ body: 'CMD-42' }],
  comment: [{ body: 'Merci' }],
  acceptResolution: [{}],
  rejectResolution: [{ reason: 'Toujours rien' }],
  acceptRejection: [{}],
  contestRejection: [{ reason: 'C’est un bug' }],
  reopen: [{ reason: 'Revenu' }],
  rate: [{ score: 4, comment: 'Rapide' }, { score: 2 }],
  share: [{ people: [hugo] }],
  unshare: [{ userId: hugo.id }],
  attach: [{ attachmentId: 'a'.repeat(24), filename: 'bon.pdf', contentType: 'application/pdf', size: 10 }],
};

const actorFor = (action: TicketActionName): Actor =>
  (
    [
      'provideInformation',
      'comment',
      'acceptResolution',
      'rejectResolution',
      'acceptRejection',
      'contestRejection',
      'reopen',
      'rate',
    ] as string[]
  ).includes(action)
    ? CUSTOMER
    : action === 'changePriority'
      ? ADMIN
      : AGENT;

/** Each change as the workflow publishes it, checked against the contract. */
function published(state: TicketState, changes: TicketChange[], at: Date) {
  return changes.map((change, i) => parseTicketEvent(makeTicketEvent(change, ticketFactsOf(state), i, at)));
}

describe('ticket events against their contract', () => {
  it('are all described by the contract, one per action, and the contract has none nobody emits', () => {
    const seen = new Set<string>();
    const keyOf = (s: TicketState) =>
      [s.status, s.qualified, (s.sharedWith ?? []).length, s.statusBeforeWaiting ?? '', s.escalated].join('|');
    const visited = new Set<string>();
    const queue: TicketState[] = [];
    const created = createTicket(newTicket(), T0);
    for (const e of published(created.state, created.changes, T0)) seen.add(e.type);
    queue.push(created.state);
    let step = 0;
    while (queue.length > 0) {
      const state = queue.shift()!;
      if (visited.has(keyOf(state))) continue;
      visited.add(keyOf(state));
      for (const action of TICKET_ACTIONS) {
        const actor = actorFor(action);
        if (!allowedActions(state, actor.role as 'customer').includes(action)) continue;
        for (const payload of SAMPLES[action] as unknown[]) {
          expect([action, refusal(state, actor, action, payload)]).toEqual([action, undefined]);
          const next = structuredClone(state);
          const at = new Date(T0.getTime() + ++step * 60_000);
          const changes = applyAction(next, actor, action, payload as never, at);
          expect([action, changes.length <= 1]).toEqual([action, true]);
          for (const e of published(next, changes, at)) {
            expect(e.data.actor).toEqual(actor);
            expect(e.data.ticket.version).toBe(next.version);
            seen.add(e.type);
          }
          queue.push(next);
        }
      }
      // What time does from here, one instant after another.
      const timed = structuredClone(state);
      for (let due = nextDueAt(timed), n = 0; due && n < 20; due = nextDueAt(timed), n++) {
        for (const e of published(timed, advanceTime(timed, due), due)) seen.add(e.type);
      }
      if (timed.status !== state.status) queue.push(timed);
    }
    expect([...seen].sort()).toEqual([...TICKET_EVENT_TYPES].sort());
  });

  it('name the status move on every event that made one', () => {
    const s = createTicket(newTicket(), T0).state;
    const events = [
      ...published(
        s,
        applyAction(s, AGENT, 'qualify', { priority: 'medium', billable: false, assignment: { team: 'support' } }, T0),
        T0,
      ),
      ...published(s, applyAction(s, AGENT, 'start', {}, T0), T0),
      ...published(s, applyAction(s, AGENT, 'requestInformation', { question: '?' }, T0), T0),
      ...published(s, applyAction(s, CUSTOMER, 'provideInformation', { body: '!' }, T0), T0),
    ];
    expect(events.map((e) => [e.type, 'statusChange' in e.data ? e.data.statusChange : undefined])).toEqual([
      ['ticket.qualified', { from: 'open', to: 'assigned' }],
      ['ticket.started', { from: 'assigned', to: 'in_progress' }],
      ['ticket.information_requested', { from: 'in_progress', to: 'waiting_for_customer' }],
      ['ticket.information_provided', { from: 'waiting_for_customer', to: 'in_progress' }],
    ]);
  });
});

describe('events recorded in histories (version 1)', () => {
  const DIR = join(__dirname, '..', '..', '..', '..', 'workflows', 'histories');
  /** The inputs of publishTicketEvents in a recorded history, batch by batch. */
  /** The development key opens the encrypted recordings (`encrypted-*`: the worker's payload codec). */
  const codec = new PayloadEncryptionCodec([DEVELOPMENT_PAYLOAD_KEY]);
  async function batchesOf(file: string): Promise<EventEnvelope[][]> {
    const history = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as {
      events: Array<{
        activityTaskScheduledEventAttributes?: {
          activityType: { name: string };
          input: { payloads: Array<{ metadata?: Record<string, string>; data: string }> };
        };
      }>;
    };
    const inputs = history.events.flatMap((e) => {
      const a = e.activityTaskScheduledEventAttributes;
      return a?.activityType.name === 'publishTicketEvents' ? a.input.payloads : [];
    });
    const bytes = (b64: string) => Buffer.from(b64, 'base64');
    const opened = await codec.decode(
      inputs.map((p) => ({
        metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, bytes(v)])),
        data: bytes(p.data),
      })),
    );
    return opened.map((p) => JSON.parse(Buffer.from(p.data!).toString()) as EventEnvelope[]);
  }
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

  it.each(files)('%s: every batch reads as contract events, one per action', async (file) => {
    const batches = await batchesOf(file);
    expect(batches.length).toBeGreaterThan(0);
    for (const batch of batches) {
      const events = upgradeTicketEvents(batch);
      // Each action (one ticket version) made at most one event, but for time that escalated twice.
      const versions = events.map((e) => e.data.ticket.version);
      expect(events.length).toBeLessThanOrEqual(new Set(batch.map((e) => e.id.split(':')[1])).size + 1);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
      // Read one at a time (a consumer's backlog), each is contract-valid too.
      for (const e of batch) for (const one of upgradeTicketEvents([e])) parseTicketEvent(one);
    }
  });

  it('turns a version 1 resolve (three events) into one ticket.resolved that keeps its id', async () => {
    const all = (await batchesOf('lifecycle.json')).flatMap((b) => upgradeTicketEvents(b));
    expect(all.map((e) => e.type)).toEqual([
      'ticket.created',
      'ticket.qualified',
      'ticket.started',
      'ticket.information_requested',
      'ticket.information_provided',
      'ticket.internal_note_added',
      'ticket.priority_changed',
      'ticket.resolved',
      'ticket.resolution_rejected',
      'ticket.resolved',
      'ticket.resolution_accepted',
      'ticket.reopened',
      'ticket.rejected',
      'ticket.rejection_contested',
      'ticket.rejected',
      'ticket.rejection_accepted',
    ]);
    const resolved = all.find((e) => e.type === 'ticket.resolved')!;
    expect(resolved.id).toMatch(/^SUPPORT-\d+:8:2:ticket\.resolved$/);
    expect(resolved).toMatchObject({
      dataversion: 2,
      data: { answer: 'Livrée.', statusChange: { from: 'in_progress', to: 'resolved' } },
    });
    expect(all.find((e) => e.type === 'ticket.qualified')?.data).toMatchObject({
      priorityChange: { from: 'medium', to: 'high' },
      assignment: { agentId: 'a-paul', team: 'support' },
      statusChange: { from: 'open', to: 'assigned' },
    });
    const timed = (await batchesOf('sla-and-windows.json')).flatMap((b) => upgradeTicketEvents(b));
    expect(timed.map((e) => e.type)).toEqual([
      'ticket.created',
      'ticket.sla_warning',
      'ticket.sla_breached',
      'ticket.sla_warning',
      'ticket.sla_breached',
      'ticket.qualified',
      'ticket.started',
      'ticket.resolved',
      'ticket.validation_reminder',
      'ticket.validation_window_elapsed',
      'ticket.reopen_window_elapsed',
    ]);
    expect(timed[2]?.data).toMatchObject({ priority: 'medium', priorityChange: { from: 'medium', to: 'high' } });
  });
});
