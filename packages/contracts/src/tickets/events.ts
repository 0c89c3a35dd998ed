import { z } from 'zod';
import { eventEnvelopeSchema } from '../events';
import { PRIORITIES, TICKET_STATUSES } from './model';
import { TICKET_EVENT_VERSION } from './facts';

/**
 * The `ticket.*` events on `woop.tickets.v1`: what the ticket workflow says happened, one
 * primary event per action (and one per thing that falls due with time), each carrying what
 * its consumers need without knowing how the workflow works. Published with `dataversion: 2`;
 * version 1 (the events of tickets started before this contract) is read through
 * `upgradeTicketEvents` (tickets/events-v1.ts).
 */
export { TICKET_EVENT_SOURCE, TICKET_EVENT_VERSION } from './facts';

const status = z.enum(TICKET_STATUSES);
const priority = z.enum(PRIORITIES);
const person = z.object({ id: z.string(), name: z.string() });
const assignment = z.object({ agentId: z.string().optional(), team: z.string().optional() });

/** Who acted: a person with their role, or `system` (the workflow's own timers). */
export const ticketActorSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(['customer', 'agent', 'admin', 'system']),
});

/** What every event says of its ticket as it is after the change, so consumers need no lookup to route it. */
export const ticketFactsSchema = z.object({
  reference: z.string(),
  version: z.number().int(),
  status,
  priority,
  requestType: z.string(),
  organizationId: z.string(),
  requester: person,
  /** Ids of the people it is shared with ("Partagé avec"); absent from the earliest events. */
  sharedWith: z.array(z.string()).default([]),
  summary: z.string(),
  confidential: z.boolean(),
  assignment,
  escalated: z.boolean(),
});
export type TicketFacts = z.infer<typeof ticketFactsSchema>;

/** The status the action moved the ticket from and to. */
export const statusChangeSchema = z.object({ from: status, to: status });
export const priorityChangeSchema = z.object({ from: priority, to: priority });

const reason = z.string();

/** Each event's own data, by type (every one also has `ticket` and, but on upgraded version 1 events, `actor`). */
const DATA = {
  /**
   * Filed (by its requester). `firstResponseDueAt`: when the first answer falls due on the
   * policy's business calendar, as the workflow computed it (absent from events made before it
   * was carried; the "demande reçue" email then promises no time).
   */
  'ticket.created': { firstResponseDueAt: z.string().optional() },
  /** `qualify`: priority and billing set, the type maybe corrected; with an assignment, ATTRIBUÉ. */
  'ticket.qualified': {
    priority,
    billable: z.boolean(),
    requestType: z.string(),
    fromType: z.string(),
    priorityChange: priorityChangeSchema.optional(),
    assignment: assignment.optional(),
    statusChange: statusChangeSchema.optional(),
  },
  /** `assign`: to an agent or a team; from OUVERT, the ticket becomes ATTRIBUÉ (`statusChange`). */
  'ticket.assigned': { assignment, statusChange: statusChangeSchema.optional() },
  /** `start`: ATTRIBUÉ → EN COURS. */
  'ticket.started': { statusChange: statusChangeSchema },
  /** `requestInformation`: a question to the customer; → EN ATTENTE CLIENT. */
  'ticket.information_requested': { question: z.string(), statusChange: statusChangeSchema.optional() },
  /** `reply`: an agent's public answer. */
  'ticket.replied': { body: z.string() },
  /** `addInternalNote`: for agents only, never shown or sent to customers. */
  'ticket.internal_note_added': { body: z.string() },
  /** `changePriority`. */
  'ticket.priority_changed': { from: priority, to: priority, reason: reason.optional() },
  /** `resolve`: the answer to validate; EN COURS → RÉSOLU, validation due at `validationDueAt`. */
  'ticket.resolved': { answer: z.string(), validationDueAt: z.string(), statusChange: statusChangeSchema },
  /** `reject`: refused, with its reason; → REJETÉ. */
  'ticket.rejected': { reason, statusChange: statusChangeSchema },
  /** `provideInformation`: the customer's answer to the question; back to where it was. */
  'ticket.information_provided': { body: z.string(), statusChange: statusChangeSchema },
  /** `comment`: a customer's comment. */
  'ticket.commented': { body: z.string() },
  /** `acceptResolution`: RÉSOLU → TERMINÉ. */
  'ticket.resolution_accepted': { statusChange: statusChangeSchema },
  /** `rejectResolution`: the answer refused, with its reason; RÉSOLU → EN COURS. */
  'ticket.resolution_rejected': { reason, statusChange: statusChangeSchema },
  /** `acceptRejection`: REJETÉ → CLÔTURÉ. */
  'ticket.rejection_accepted': { statusChange: statusChangeSchema },
  /** `contestRejection`: with its reason; REJETÉ → OUVERT, to requalify. */
  'ticket.rejection_contested': { reason, statusChange: statusChangeSchema },
  /** `reopen`: with its reason; TERMINÉ → EN COURS. */
  'ticket.reopened': { reason, statusChange: statusChangeSchema },
  /** `rate`: the requester's satisfaction (1–5) with the answer, for the `closure`-th TERMINÉ. */
  'ticket.rated': { score: z.number().int(), comment: z.string().optional(), closure: z.number().int() },
  /** `share`: the people just added. */
  'ticket.shared': { people: z.array(person) },
  /** `unshare`: the person removed. */
  'ticket.unshared': { people: z.array(person) },
  /** `attach`: a file stored by the tickets service. */
  'ticket.attachment_added': {
    attachmentId: z.string(),
    filename: z.string(),
    contentType: z.string(),
    size: z.number(),
  },
  /** An SLA clock reached its warning share; `priority` is the ticket's then. */
  'ticket.sla_warning': {
    clock: z.enum(['firstResponse', 'resolution']),
    targetMinutes: z.number(),
    breachAt: z.string().optional(),
    priority,
  },
  /** An SLA clock ran out: escalated to `escalationTeam`, priority one step up (`priorityChange`). */
  'ticket.sla_breached': {
    clock: z.enum(['firstResponse', 'resolution']),
    targetMinutes: z.number(),
    breachAt: z.string().optional(),
    priority,
    escalationTeam: z.string(),
    priorityChange: priorityChangeSchema.optional(),
  },
  /** The customer has not validated the answer yet: a reminder before `validationDueAt`. */
  'ticket.validation_reminder': { validationDueAt: z.string().optional() },
  /** Nobody validated the answer in time: RÉSOLU → TERMINÉ. */
  'ticket.validation_window_elapsed': { reason, statusChange: statusChangeSchema },
  /** Nobody reopened in time: TERMINÉ → CLÔTURÉ. */
  'ticket.reopen_window_elapsed': { reason, statusChange: statusChangeSchema },
} as const;

export type TicketEventType = keyof typeof DATA;
export const TICKET_EVENT_TYPES = Object.keys(DATA) as TicketEventType[];

const common = { ticket: ticketFactsSchema, actor: ticketActorSchema.optional() };

function envelopeOf<T extends TicketEventType>(type: T) {
  return eventEnvelopeSchema.extend({
    type: z.literal(type),
    dataversion: z.literal(TICKET_EVENT_VERSION),
    data: z.object({ ...DATA[type], ...common }),
  });
}

const ENVELOPES = {
  'ticket.created': envelopeOf('ticket.created'),
  'ticket.qualified': envelopeOf('ticket.qualified'),
  'ticket.assigned': envelopeOf('ticket.assigned'),
  'ticket.started': envelopeOf('ticket.started'),
  'ticket.information_requested': envelopeOf('ticket.information_requested'),
  'ticket.replied': envelopeOf('ticket.replied'),
  'ticket.internal_note_added': envelopeOf('ticket.internal_note_added'),
  'ticket.priority_changed': envelopeOf('ticket.priority_changed'),
  'ticket.resolved': envelopeOf('ticket.resolved'),
  'ticket.rejected': envelopeOf('ticket.rejected'),
  'ticket.information_provided': envelopeOf('ticket.information_provided'),
  'ticket.commented': envelopeOf('ticket.commented'),
  'ticket.resolution_accepted': envelopeOf('ticket.resolution_accepted'),
  'ticket.resolution_rejected': envelopeOf('ticket.resolution_rejected'),
  'ticket.rejection_accepted': envelopeOf('ticket.rejection_accepted'),
  'ticket.rejection_contested': envelopeOf('ticket.rejection_contested'),
  'ticket.reopened': envelopeOf('ticket.reopened'),
  'ticket.rated': envelopeOf('ticket.rated'),
  'ticket.shared': envelopeOf('ticket.shared'),
  'ticket.unshared': envelopeOf('ticket.unshared'),
  'ticket.attachment_added': envelopeOf('ticket.attachment_added'),
  'ticket.sla_warning': envelopeOf('ticket.sla_warning'),
  'ticket.sla_breached': envelopeOf('ticket.sla_breached'),
  'ticket.validation_reminder': envelopeOf('ticket.validation_reminder'),
  'ticket.validation_window_elapsed': envelopeOf('ticket.validation_window_elapsed'),
  'ticket.reopen_window_elapsed': envelopeOf('ticket.reopen_window_elapsed'),
} satisfies { [T in TicketEventType]: ReturnType<typeof envelopeOf<T>> };

/** Every `ticket.*` event of version 2, told apart by `type`. */
export const ticketEventSchema = z.discriminatedUnion(
  'type',
  Object.values(ENVELOPES) as unknown as [
    (typeof ENVELOPES)[TicketEventType],
    ...(typeof ENVELOPES)[TicketEventType][],
  ],
);

export type TicketEvent = { [T in TicketEventType]: z.infer<(typeof ENVELOPES)[T]> }[TicketEventType];
export type TicketEventOf<T extends TicketEventType> = Extract<TicketEvent, { type: T }>;
export type TicketEventData<T extends TicketEventType> = TicketEventOf<T>['data'];

/**
 * What the workflow records for one action: the event's type and its own data; the workflow
 * adds the ticket's facts and the envelope (`makeTicketEvent`).
 */
export type TicketChange = {
  [T in TicketEventType]: { type: T; data: Omit<TicketEventData<T>, 'ticket'> };
}[TicketEventType];

export { makeTicketEvent, ticketFactsOf } from './facts';

/** Checks a version 2 ticket event against the contract; throws a ZodError naming what is wrong. */
export function parseTicketEvent(event: unknown): TicketEvent {
  return ticketEventSchema.parse(event);
}
