import { dataVersionOf, type EventEnvelope } from '../events';
import { SYSTEM_ACTOR, type Actor, type Priority, type TicketStatus } from './model';
import {
  makeTicketEvent,
  parseTicketEvent,
  ticketFactsSchema,
  TICKET_EVENT_VERSION,
  type TicketChange,
  type TicketEvent,
  type TicketFacts,
} from './events';

/**
 * Version 1 of the `ticket.*` events, as tickets started before the contract emitted them (and
 * as their recorded histories still hold them, in the publishing activity's input): one action
 * made several events (`comment_added`, `status_changed` and `resolved` for one resolve),
 * `status_changed` did not say which action moved the ticket, and only comments named their
 * author. Nothing here is for new code: it turns them into version 2 events, the same way in the
 * publisher (a whole batch: the events of one action travel together) and in a consumer (one
 * event at a time, where the sibling that said the rest is not at hand).
 */
type V1Data = Record<string, unknown> & { ticket?: unknown };
type V1Event = EventEnvelope<V1Data>;
type V1Actor = { id?: unknown; name?: unknown; role?: unknown };

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** What a version-1 SLA warning or breach said of its clock, as version 2 carries it. */
const slaClockOf = (d: Record<string, unknown>, facts: TicketFacts) => ({
  clock: d.clock as 'firstResponse' | 'resolution',
  targetMinutes: d.targetMinutes as number,
  ...(str(d.breachAt) ? { breachAt: str(d.breachAt) } : {}),
  priority: (str(d.priority) ?? facts.priority) as Priority,
});
const actorOf = (v: unknown): Actor | undefined => {
  const a = (v ?? {}) as V1Actor;
  const role = a.role;
  if (typeof a.id !== 'string' || (role !== 'customer' && role !== 'agent' && role !== 'admin')) return undefined;
  return { id: a.id, name: str(a.name) ?? '', role };
};
const moveOf = (e: V1Event) => ({ from: e.data.from as TicketStatus, to: e.data.to as TicketStatus });
const priorityMoveOf = (e: V1Event) => ({ from: e.data.from as Priority, to: e.data.to as Priority });
const isMove = (from: TicketStatus | '*', to: TicketStatus | '*') => (e: V1Event) =>
  e.type === 'ticket.status_changed' && (from === '*' || e.data.from === from) && (to === '*' || e.data.to === to);
const assignmentOf = (e: V1Event) => ({
  ...(str(e.data.agentId) ? { agentId: str(e.data.agentId) } : {}),
  ...(str(e.data.team) ? { team: str(e.data.team) } : {}),
});
const WINDOWS_ELAPSED = ['validation window elapsed', 'reopen window elapsed'];

/** The version 2 changes one action's (or one instant's) version 1 events stand for. */
function upgradeGroup(group: V1Event[], facts: TicketFacts): Array<{ from: V1Event; change: TicketChange }> {
  const used = new Set<V1Event>();
  const take = (pred: (e: V1Event) => boolean, after?: V1Event): V1Event | undefined => {
    const start = after ? group.indexOf(after) + 1 : 0;
    const found = group.slice(start).find((e) => !used.has(e) && pred(e));
    if (found) used.add(found);
    return found;
  };
  const out: Array<{ from: V1Event; change: TicketChange }> = [];
  const requester = { id: facts.requester.id, name: facts.requester.name, role: 'customer' as const };

  // The events that said what the action was come first; they take the parts that went with them.
  for (const e of group) {
    if (used.has(e)) continue;
    const d = e.data;
    switch (e.type) {
      case 'ticket.created':
        used.add(e);
        out.push({ from: e, change: { type: 'ticket.created', data: { actor: requester } } });
        break;
      case 'ticket.qualified': {
        used.add(e);
        const priority = take((x) => x.type === 'ticket.priority_changed');
        const assigned = take((x) => x.type === 'ticket.assigned');
        const moved = take(isMove('open', 'assigned'));
        out.push({
          from: e,
          change: {
            type: 'ticket.qualified',
            data: {
              priority: priority ? (priority.data.to as Priority) : facts.priority,
              billable: d.billable === true,
              requestType: str(d.requestType) ?? facts.requestType,
              fromType: str(d.fromType) ?? str(d.requestType) ?? facts.requestType,
              ...(priority ? { priorityChange: priorityMoveOf(priority) } : {}),
              ...(assigned ? { assignment: assignmentOf(assigned) } : {}),
              ...(moved ? { statusChange: moveOf(moved) } : {}),
            },
          },
        });
        break;
      }
      case 'ticket.information_requested': {
        used.add(e);
        const moved = take(isMove('*', 'waiting_for_customer'));
        take((x) => x.type === 'ticket.comment_added' && x.data.body === d.question);
        out.push({
          from: e,
          change: {
            type: 'ticket.information_requested',
            data: { question: str(d.question) ?? '', ...(moved ? { statusChange: moveOf(moved) } : {}) },
          },
        });
        break;
      }
      case 'ticket.resolved': {
        used.add(e);
        take(isMove('*', 'resolved'));
        const comment = take((x) => x.type === 'ticket.comment_added' && x.data.body === d.answer);
        const actor = actorOf(comment?.data.author);
        out.push({
          from: e,
          change: {
            type: 'ticket.resolved',
            data: {
              answer: str(d.answer) ?? '',
              validationDueAt: str(d.validationDueAt) ?? '',
              statusChange: { from: 'in_progress', to: 'resolved' },
              ...(actor ? { actor } : {}),
            },
          },
        });
        break;
      }
      case 'ticket.sla_breached': {
        used.add(e);
        const next = group[group.indexOf(e) + 1];
        const raised = next?.type === 'ticket.priority_changed' ? take((x) => x === next) : undefined;
        out.push({
          from: e,
          change: {
            type: 'ticket.sla_breached',
            data: {
              ...slaClockOf(d, facts),
              escalationTeam: str(d.escalationTeam) ?? '',
              ...(raised ? { priorityChange: priorityMoveOf(raised) } : {}),
              actor: SYSTEM_ACTOR,
            },
          },
        });
        break;
      }
    }
  }

  // Then what is left, each on its own.
  for (const e of group) {
    if (used.has(e)) continue;
    used.add(e);
    const d = e.data;
    const reason = str(d.reason) ?? '';
    const actor = actorOf(d.author);
    const who = actor ? { actor } : {};
    let change: TicketChange | undefined;
    switch (e.type) {
      case 'ticket.assigned': {
        const moved = take(isMove('open', 'assigned'));
        const assignment = assignmentOf(e);
        change = {
          type: 'ticket.assigned',
          data: { assignment, ...(moved ? { statusChange: moveOf(moved) } : {}) },
        };
        break;
      }
      case 'ticket.comment_added': {
        // An answer's or a question's words: their own event says them (dropped when it is not at hand).
        if (d.via === 'resolve' || d.via === 'requestInformation') break;
        const back = take(isMove('waiting_for_customer', '*'));
        const body = str(d.body) ?? '';
        if (d.via === 'provideInformation' || back) {
          const statusChange = back ? moveOf(back) : { from: 'waiting_for_customer' as const, to: facts.status };
          change = { type: 'ticket.information_provided', data: { body, statusChange, ...who } };
        } else {
          const type = actor?.role === 'customer' ? 'ticket.commented' : 'ticket.replied';
          change = { type, data: { body, ...who } };
        }
        break;
      }
      case 'ticket.internal_note_added':
        change = { type: 'ticket.internal_note_added', data: { body: str(d.body) ?? '', ...who } };
        break;
      case 'ticket.priority_changed':
        change = { type: 'ticket.priority_changed', data: priorityMoveOf(e) };
        break;
      case 'ticket.status_changed':
        change = statusMove(e, reason, facts);
        break;
      case 'ticket.shared':
      case 'ticket.unshared':
        change = { type: e.type, data: { people: (d.people as Array<{ id: string; name: string }>) ?? [] } };
        break;
      case 'ticket.attachment_added':
        change = {
          type: 'ticket.attachment_added',
          data: {
            attachmentId: str(d.attachmentId) ?? '',
            filename: str(d.filename) ?? '',
            contentType: str(d.contentType) ?? '',
            size: d.size as number,
          },
        };
        break;
      case 'ticket.sla_warning':
        change = {
          type: 'ticket.sla_warning',
          data: {
            ...slaClockOf(d, facts),
            actor: SYSTEM_ACTOR,
          },
        };
        break;
      case 'ticket.validation_reminder':
        change = {
          type: 'ticket.validation_reminder',
          data: { ...(str(d.validationDueAt) ? { validationDueAt: str(d.validationDueAt) } : {}), actor: SYSTEM_ACTOR },
        };
        break;
    }
    if (change) out.push({ from: e, change });
  }
  return out;
}

/** A version 1 `status_changed` on its own: the action its move stands for (each has one cause but OUVERT → ATTRIBUÉ). */
function statusMove(e: V1Event, reason: string, facts: TicketFacts): TicketChange | undefined {
  const statusChange = moveOf(e);
  const { from, to } = statusChange;
  const timer = WINDOWS_ELAPSED.includes(reason);
  if (to === 'waiting_for_customer' || to === 'resolved' || from === 'waiting_for_customer') return undefined;
  if (from === 'open' && to === 'assigned') {
    return { type: 'ticket.assigned', data: { assignment: facts.assignment, statusChange } };
  }
  if (to === 'rejected') return { type: 'ticket.rejected', data: { reason, statusChange } };
  if (from === 'assigned' && to === 'in_progress') return { type: 'ticket.started', data: { statusChange } };
  if (from === 'resolved' && to === 'done') {
    return timer
      ? { type: 'ticket.validation_window_elapsed', data: { reason, statusChange, actor: SYSTEM_ACTOR } }
      : { type: 'ticket.resolution_accepted', data: { statusChange } };
  }
  if (from === 'resolved' && to === 'in_progress') {
    return { type: 'ticket.resolution_rejected', data: { reason, statusChange } };
  }
  if (from === 'rejected' && to === 'closed') return { type: 'ticket.rejection_accepted', data: { statusChange } };
  if (from === 'rejected' && to === 'open')
    return { type: 'ticket.rejection_contested', data: { reason, statusChange } };
  if (from === 'done' && to === 'in_progress') return { type: 'ticket.reopened', data: { reason, statusChange } };
  if (from === 'done' && to === 'closed') {
    return { type: 'ticket.reopen_window_elapsed', data: { reason, statusChange, actor: SYSTEM_ACTOR } };
  }
  return undefined;
}

/**
 * Version 1 events as version 2 ones, checked against the contract (a ZodError when one cannot
 * be read). Events of one ticket version (one action or one instant) are read together; each
 * version 2 event keeps the id of the version 1 event it comes from, so a consumer that saw the
 * original drops it as a duplicate. Version 2 events pass through, checked.
 */
export function upgradeTicketEvents(events: EventEnvelope[]): TicketEvent[] {
  const out: TicketEvent[] = [];
  let i = 0;
  while (i < events.length) {
    const event = events[i]!;
    if (dataVersionOf(event) !== 1) {
      out.push(parseTicketEvent(event));
      i++;
      continue;
    }
    const facts = ticketFactsSchema.parse(event.data.ticket);
    const group: V1Event[] = [event];
    while (
      i + group.length < events.length &&
      dataVersionOf(events[i + group.length]!) === 1 &&
      events[i + group.length]!.subject === event.subject &&
      (events[i + group.length]!.data.ticket as { version?: unknown } | undefined)?.version === facts.version
    ) {
      group.push(events[i + group.length] as V1Event);
    }
    i += group.length;
    for (const { from, change } of upgradeGroup(group, facts)) {
      const upgraded = makeTicketEvent(change, ticketFactsSchema.parse(from.data.ticket), 0, new Date(from.time));
      out.push(parseTicketEvent({ ...upgraded, id: from.id, source: from.source }));
    }
  }
  return out;
}

/**
 * The ticket events an envelope read from Kafka stands for: a version 2 event as it is, a
 * version 1 one upgraded (possibly to none: the parts of an action its primary event says),
 * none for a version this code does not know. Throws a ZodError when a known version is malformed.
 */
export function readTicketEvents(event: EventEnvelope): TicketEvent[] {
  const version = dataVersionOf(event);
  if (version !== 1 && version !== TICKET_EVENT_VERSION) return [];
  return upgradeTicketEvents([event]);
}
