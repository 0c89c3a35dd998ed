import {
  PRIORITIES,
  type BusinessCalendarSpec,
  type SlaClock,
  type SlaClockName,
  type TicketState,
} from '@woop/contracts';
import { businessMinutesBetween } from '@woop/ticket-domain';

/** A ticket as the read model keeps it: the workflow's state, keyed by reference. */
export type TicketRecord = Omit<TicketState, 'reference'> & { _id: string };

/**
 * The ticket read model, what it stores. Written only by the workflow's projection activity
 * (`worker/projection.ts`) and by erasure (`people.ts`); read by the API (`api/queries.ts`):
 * - `tickets`: one document per ticket (`_id` = reference), the workflow's state, for the
 *   detail page and access checks;
 * - `ticket_rows`: one small row per ticket with what lists filter, sort and show. Lists and
 *   queues read rows only: on MongoDB the API's indexes cover them; on the local FerretDB
 *   (SQLite), which scans and decodes every document of a collection for such queries, a row
 *   of a few hundred bytes instead of a ticket with its activity made lists ~4.5× faster.
 * Lists never ask Temporal.
 */
export const TICKETS_COLLECTION = 'tickets';
export const ROWS_COLLECTION = 'ticket_rows';

export type TicketLike = Omit<TicketState, 'reference'> & { reference?: string };

export interface DerivedFields {
  /** Ids of `sharedWith`, indexed for "shared with me". */
  sharedWithIds: string[];
  /** Reference, summary and description in lower case without accents, for "La demande contient…". */
  searchText: string;
  /** `breached`: an SLA clock ran out and still runs; `at_risk`: warned, not yet breached. */
  slaState: 'ok' | 'at_risk' | 'breached';
  /**
   * `requester.id` and `assignment.agentId` again, at the top level, and whether an agent is
   * assigned: FerretDB 1.x hands PostgreSQL a top-level equality (never a dotted path, nor
   * `$exists`), so "Créées par moi" and the "mine" and "unassigned" queues read only their rows.
   */
  requesterId: string;
  /** `null` when none: a `$set` of the row must clear it. */
  agentId: string | null;
  assigned: boolean;
  /** Which shape of row this is (ROW_LAYOUT): older rows are rewritten at the worker's start. */
  layout: number;
  /**
   * For the reports (`api/reports.ts`), so that they read rows, never tickets (whose activity
   * FerretDB decodes for every query: 12–16 s at 10,000 tickets, against 2–3 s for rows):
   * when the answer was given (`resolution.at`), each SLA clock's outcome, the business minutes
   * to the first public answer on the ticket's calendar, the requester's rating (CSAT) if any.
   */
  resolvedAt: string | null;
  slaFirstResponse: SlaOutcome;
  slaResolution: SlaOutcome;
  firstResponseMinutes: number | null;
  csatScore: number | null;
  /**
   * For the agents' queues (`api/queries.ts`): sort keys and filters as top-level fields, so
   * that FerretDB hands them to PostgreSQL (a dotted `assignment.team` it filters in Go):
   * the priority as a number (0 low … 3 critical; its name sorts alphabetically), the running
   * SLA clock's breach instant (`NO_SLA_DUE` when paused or none, so it sorts last and a cursor
   * always compares strings), the assigned team (`null`: none).
   */
  priorityRank: number;
  slaDueAt: string;
  team: string | null;
  /** The SLA clock that counts now (first response until met, then resolution), with its calendar, for time left. */
  slaClock: QueueClock | null;
  slaCalendar: BusinessCalendarSpec | null;
}

/** A queue row's SLA clock: which one, and what time left needs. */
export type QueueClock = Pick<
  SlaClock,
  'targetMinutes' | 'consumedMinutes' | 'runningSince' | 'breachAt' | 'warnedAt' | 'breachedAt'
> & { name: SlaClockName };

/** `slaDueAt` of a row with no running clock: after every instant. */
export const NO_SLA_DUE = '9999-12-31T23:59:59.999Z';

/** An SLA clock's outcome: met within target, breached (late or still past it), or neither yet. */
export type SlaOutcome = 'met' | 'breached' | 'running';
export const slaOutcome = (clock: SlaClock | undefined): SlaOutcome =>
  clock?.breachedAt ? 'breached' : clock?.metAt ? 'met' : 'running';

/** The rows' shape; bump it when DerivedFields change, and the worker rewrites older rows. */
export const ROW_LAYOUT = 4;

/** A rating of 1 to 5 (the CSAT part may add `csat` to the state; read loosely until then). */
function csatScore(state: TicketLike): number | null {
  const score = (state as { csat?: { score?: unknown } }).csat?.score;
  return typeof score === 'number' && Number.isInteger(score) && score >= 1 && score <= 5 ? score : null;
}

function firstResponseMinutes(state: TicketLike): number | null {
  const metAt = state.sla.firstResponse?.metAt;
  const calendar = state.slaPolicy?.calendar;
  if (!metAt || !calendar) return null;
  return businessMinutesBetween(calendar, new Date(state.createdAt), new Date(metAt));
}

/** Lower case, accents removed: "Été" and "ete" match. */
export const normalizeText = (text: string): string =>
  text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();

function queueClock(state: TicketLike): QueueClock | null {
  const name = (['firstResponse', 'resolution'] as const).find((n) => state.sla[n] && !state.sla[n].metAt);
  if (!name) return null;
  const c = state.sla[name];
  const clock: QueueClock = { name, targetMinutes: c.targetMinutes, consumedMinutes: c.consumedMinutes };
  for (const k of ['runningSince', 'breachAt', 'warnedAt', 'breachedAt'] as const) if (c[k]) clock[k] = c[k];
  return clock;
}

export function derivedFields(state: TicketLike, id: string): DerivedFields {
  const clocks = Object.values(state.sla);
  const running = clocks.filter((c) => c.metAt === undefined);
  const slaState = running.some((c) => c.breachedAt) ? 'breached' : running.some((c) => c.warnedAt) ? 'at_risk' : 'ok';
  return {
    sharedWithIds: (state.sharedWith ?? []).map((p) => p.id),
    searchText: normalizeText([id, state.summary, state.description ?? ''].join(' ')),
    slaState,
    requesterId: state.requester.id,
    agentId: state.assignment.agentId ?? null,
    assigned: Boolean(state.assignment.agentId),
    layout: ROW_LAYOUT,
    resolvedAt: state.resolution?.at ?? null,
    slaFirstResponse: slaOutcome(state.sla.firstResponse),
    slaResolution: slaOutcome(state.sla.resolution),
    firstResponseMinutes: firstResponseMinutes(state),
    csatScore: csatScore(state),
    ...queueFields(state),
  };
}

function queueFields(state: TicketLike) {
  const clock = queueClock(state);
  const due = clock?.runningSince ? (clock.breachAt ?? clock.breachedAt) : undefined;
  return {
    priorityRank: PRIORITIES.indexOf(state.priority),
    slaDueAt: due ?? NO_SLA_DUE,
    team: state.assignment.team ?? null,
    slaClock: clock,
    slaCalendar: clock ? (state.slaPolicy?.calendar ?? null) : null,
  };
}

/** A list row: the guide's columns, what visibility needs, derived fields, the version. */
export type TicketRow = Pick<
  TicketRecord,
  | '_id'
  | 'requestType'
  | 'summary'
  | 'status'
  | 'priority'
  | 'requester'
  | 'organizationId'
  | 'confidential'
  | 'assignment'
  | 'escalated'
  | 'escalationTeams'
  | 'createdAt'
  | 'updatedAt'
  | 'version'
> &
  DerivedFields;

export function rowOf(id: string, t: TicketLike): TicketRow {
  return {
    _id: id,
    requestType: t.requestType,
    summary: t.summary,
    status: t.status,
    priority: t.priority,
    requester: t.requester,
    organizationId: t.organizationId,
    confidential: t.confidential,
    assignment: t.assignment,
    escalated: t.escalated,
    escalationTeams: t.escalationTeams,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    version: t.version,
    ...derivedFields(t, id),
  };
}
