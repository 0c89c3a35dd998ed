/**
 * The ticket's lifecycle vocabulary, shared by the workflow, the tickets service and the
 * notifications service. Codes are English; labels are what a customer reads.
 */
export const TICKET_STATUSES = [
  'open',
  'assigned',
  'in_progress',
  'waiting_for_customer',
  'resolved',
  'rejected',
  'done',
  'closed',
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const STATUS_LABELS: Record<TicketStatus, { fr: string; en: string }> = {
  open: { fr: 'Ouvert', en: 'Open' },
  assigned: { fr: 'Attribué', en: 'Assigned' },
  in_progress: { fr: 'En cours', en: 'In progress' },
  waiting_for_customer: { fr: 'En attente client', en: 'Waiting for customer' },
  resolved: { fr: 'Résolu', en: 'Resolved' },
  rejected: { fr: 'Rejeté', en: 'Rejected' },
  done: { fr: 'Terminé', en: 'Done' },
  closed: { fr: 'Clôturé', en: 'Closed' },
};

/** Lowest to highest; an SLA breach raises a ticket one step. */
export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Priority = (typeof PRIORITIES)[number];

export type Role = 'customer' | 'agent' | 'admin';
/** `system` is the workflow itself: timers that validate, close and escalate. */
export type ActorRole = Role | 'system';

export interface Actor {
  id: string;
  role: ActorRole;
  name: string;
}

/** Someone a ticket names: requester, a person it is shared with. */
export interface Person {
  id: string;
  name: string;
}

/**
 * What an erased person is called everywhere once the DPO has erased them (GDPR art. 17): the
 * read model, the workflow's state (the `erasePerson` update), every later event and email.
 */
export const ERASED_NAME = 'Utilisateur supprimé';
/** What replaces an erased person's name or address inside free text. */
export const ERASED_TEXT = '[supprimé]';

export const SYSTEM_ACTOR: Actor = { id: 'system', role: 'system', name: 'Woop support' };

export interface Assignment {
  agentId?: string;
  team?: string;
}

/** A working calendar: business time is counted only inside its hours (workflows/src/sla/calendar.ts). */
export interface BusinessCalendarSpec {
  /** IANA time zone, e.g. Europe/Paris. */
  timeZone: string;
  /** ISO weekdays that are worked: 1 = Monday … 7 = Sunday. */
  workingDays: number[];
  /** Minutes after local midnight: 9:00 = 540, 18:00 = 1080; close may be 1440. */
  openMinute: number;
  closeMinute: number;
  /** Computed holiday sets, by name ('FR' = French public holidays). */
  holidayRules: Array<'FR'>;
  /** Extra non-working local dates, 'YYYY-MM-DD'. */
  extraHolidays: string[];
}

export interface SlaTarget {
  /** Business minutes; fractions allowed (tests use seconds). */
  firstResponseMinutes: number;
  resolutionMinutes: number;
}

/** The SLA policy in force when the ticket was created; it stays with the ticket. */
export interface SlaPolicy {
  id: string;
  targets: Record<Priority, SlaTarget>;
  calendar: BusinessCalendarSpec;
  /** Share of a target at which a warning is raised (0.75). */
  warningRatio: number;
  /** Team added to the ticket when a target is breached. */
  escalationTeam: string;
}

/** Client-validation and reopen windows, in business minutes of the policy's calendar. */
export interface LifecycleWindows {
  validationMinutes: number;
  /** How long before automatic validation the customer is reminded (0 = no reminder). */
  validationReminderMinutes: number;
  reopenMinutes: number;
}

export type SlaClockName = 'firstResponse' | 'resolution';

export interface SlaClock {
  targetMinutes: number;
  /** Business minutes consumed before `runningSince`. */
  consumedMinutes: number;
  /** Set while the clock runs (ISO instant). */
  runningSince?: string;
  /** When the warning / breach fall due at the current pace (only while running). */
  warningAt?: string;
  breachAt?: string;
  warnedAt?: string;
  breachedAt?: string;
  /** First response: the first public agent answer. Resolution: acceptance of the answer. */
  metAt?: string;
}

export type ActivityKind =
  | 'created'
  | 'status_changed'
  | 'qualified'
  | 'assigned'
  | 'priority_changed'
  | 'comment'
  | 'internal_note'
  | 'sla_warning'
  | 'sla_breached'
  | 'validation_reminder'
  | 'shared'
  | 'unshared'
  | 'attachment'
  | 'rated';

export interface ActivityEntry {
  seq: number;
  at: string;
  actor: Actor;
  kind: ActivityKind;
  /** Internal entries are for agents only, never shown or sent to customers. */
  visibility: 'public' | 'internal';
  from?: TicketStatus;
  to?: TicketStatus;
  reason?: string;
  body?: string;
  data?: Record<string, string | number | boolean>;
  /** For `shared` / `unshared`: who was added or removed. */
  people?: Person[];
}

/**
 * "Êtes-vous satisfait de la réponse ?": the requester's answer, once per closure. `closure` is
 * which time the request became TERMINÉ (1 the first time, 2 after a reopening…), so a reopened
 * request answered again can be rated again.
 */
export interface CsatRating {
  score: number;
  comment?: string;
  at: string;
  by: Actor;
  closure: number;
}

export interface TicketState {
  reference: string;
  requestType: string;
  organizationId: string;
  requester: Person;
  /** "Partagé avec": people of the requester's organisation added by name (absent before sharing existed). */
  sharedWith?: Person[];
  summary: string;
  /** What the customer wrote and the request type's own fields (absent in early histories). */
  description?: string;
  fields?: Record<string, unknown>;
  portal?: 'retailer' | 'carrier';
  /** The catalogue version of the request type the form was validated against. */
  requestTypeVersion?: number;
  confidential: boolean;
  status: TicketStatus;
  /** Where "give the requested information" returns to. */
  statusBeforeWaiting?: TicketStatus;
  priority: Priority;
  qualified: boolean;
  billable: boolean;
  assignment: Assignment;
  escalated: boolean;
  escalationTeams: string[];
  createdAt: string;
  updatedAt: string;
  /** Bumped by every change; the read model and events are keyed by it. */
  version: number;
  sla: Record<SlaClockName, SlaClock>;
  slaPolicy: SlaPolicy;
  windows: LifecycleWindows;
  validationDueAt?: string;
  validationReminderAt?: string;
  validationRemindedAt?: string;
  reopenUntil?: string;
  resolution?: { answer: string; at: string; by: Actor };
  rejection?: { reason: string; at: string; by: Actor };
  /** The requester's satisfaction rating (CSAT) of the latest closure that has one (absent before CSAT). */
  csat?: CsatRating;
  activity: ActivityEntry[];
}

/**
 * What a customer without organisation (open sign-up) files under: a value of their own that no
 * organisation id can take (identity makes those UUIDs or `org-…`, never with a colon), so their
 * requests match nobody else's organisation, in the tickets service and on the pages.
 */
export const PERSONAL_ORGANIZATION_PREFIX = 'user:';

/** Whether a ticket belongs to a customer organisation (whose members see it and it can be shared with). */
export const hasOrganization = (ticket: { organizationId: string }): boolean =>
  !ticket.organizationId.startsWith(PERSONAL_ORGANIZATION_PREFIX);
