import type { TicketState } from '@woop/contracts';

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
}

/** The rows' shape; bump it when DerivedFields change, and the worker rewrites older rows. */
export const ROW_LAYOUT = 2;

/** Lower case, accents removed: "Été" and "ete" match. */
export const normalizeText = (text: string): string =>
  text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();

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
