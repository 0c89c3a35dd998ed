import type { mongo } from 'mongoose';
import type { QueueName, QueuePageQuery, QueueSla, TicketPage, TicketStatus } from '@woop/contracts';
import type { VerifiedIdentity } from '@woop/service-kit';
import { businessMinutesBetween } from '@woop/ticket-domain';
import { ROWS_COLLECTION, type TicketRow } from '../model/read-model';
import { fingerprint, listItem, page, queryOf, visibilityFilter, type Filter, type Viewer } from './queries';

/**
 * The agents' queues (GET /queues, /queues/:queue), read from the rows like the "Demandes" list
 * (`queries.ts`, whose pages and cursors they share): who sees what, the worked statuses, the
 * queue's own filters as top-level equalities, and each row's SLA time left.
 */

/** Statuses in which a ticket still needs the support team (RÉSOLU waits for the customer). */
export const WORKED_STATUSES: TicketStatus[] = ['open', 'assigned', 'in_progress', 'waiting_for_customer'];

export function queueFilter(who: Viewer, queue: QueueName): Filter {
  const worked = { status: { $in: WORKED_STATUSES } };
  const own: Record<QueueName, Filter> = {
    unassigned: { assigned: false },
    mine: { agentId: who.userId },
    team: { $or: [{ 'assignment.team': { $in: who.teams } }, { escalationTeams: { $in: who.teams } }] },
    sla_at_risk: { slaState: 'at_risk' },
    sla_breached: { slaState: 'breached' },
  };
  return { $and: [visibilityFilter(who), worked, own[queue]] };
}

/** The queue's filters (request type, priority, team, organisation): top-level equalities on the row. */
export function queueFilters(
  query: Partial<Pick<QueuePageQuery, 'requestType' | 'priority' | 'team' | 'organizationId'>>,
) {
  const { requestType, priority, team, organizationId } = query;
  return [
    requestType ? { requestType } : {},
    priority ? { priority } : {},
    team ? { team } : {},
    organizationId ? { organizationId } : {},
  ];
}

/**
 * A queue row's SLA: the clock that counts now and its business time left at `now`, as the
 * agent's view counts it (target − consumed − business time since it runs), on the ticket's calendar.
 */
export function queueSla(row: Pick<TicketRow, 'slaClock' | 'slaCalendar'>, now: Date): QueueSla | undefined {
  const clock = row.slaClock;
  if (!clock) return undefined;
  const running =
    clock.runningSince && row.slaCalendar
      ? businessMinutesBetween(row.slaCalendar, new Date(clock.runningSince), now)
      : 0;
  const state = !clock.runningSince ? 'paused' : clock.breachedAt ? 'breached' : clock.warnedAt ? 'at_risk' : 'running';
  return {
    clock: clock.name,
    state,
    ...(clock.runningSince && clock.breachAt ? { dueAt: clock.breachAt } : {}),
    leftMinutes: state === 'breached' ? 0 : Math.max(0, clock.targetMinutes - clock.consumedMinutes - running),
  };
}

export function queuePage(
  db: mongo.Db,
  who: VerifiedIdentity,
  queue: QueueName,
  query: QueuePageQuery,
): Promise<TicketPage> {
  const { cursor, limit, sort, ...filters } = query;
  const now = new Date();
  return page(
    db,
    [queueFilter(who, queue), ...queueFilters(filters)],
    // The fingerprint holds the sort and filters: a cursor of another order or filter is refused.
    { limit, cursor, sort, fingerprint: fingerprint([who.userId, queue, sort, filters]) },
    (row) => {
      const sla = queueSla(row, now);
      return { ...listItem(row), ...(sla ? { sla } : {}) };
    },
  );
}

export async function queueCounts(db: mongo.Db, who: VerifiedIdentity, queues: readonly QueueName[]) {
  const rows = db.collection(ROWS_COLLECTION);
  const counts = await Promise.all(queues.map((q) => rows.countDocuments(queryOf([queueFilter(who, q)]))));
  return Object.fromEntries(queues.map((q, i) => [q, counts[i]!])) as Record<QueueName, number>;
}
