import { createHash } from 'node:crypto';
import type { mongo } from 'mongoose';
import {
  OPEN_STATUSES,
  STATUS_LABELS,
  type TicketListItem,
  type TicketListQuery,
  type TicketPage,
} from '@woop/contracts';
import type { VerifiedIdentity } from '@woop/service-kit';
import { normalizeText, ROWS_COLLECTION, type TicketRow } from '../model/read-model';
import { problem } from './problems';

/**
 * The read side of the read model: the "Demandes" list (and, in `queue-queries.ts`, the agents'
 * queues), read from the rows only (see `model/read-model.ts`), never from Temporal.
 */

/**
 * Indexes (on the rows) for the queries of this module, the visibility filter first:
 * - a customer's list: `requesterId`, `sharedWithIds`, `organizationId` (each with createdAt,
 *   the default sort) — the three arms of the customer's visibility `$or`;
 * - agents' queues: `agentId`, `assigned`, `assignment.team`, `escalationTeams`, `slaState`,
 *   each with status (queues only hold tickets still being worked);
 * - `status` + `createdAt` for agents' "all open" lists, `updatedAt` for the other sort.
 * Free text is a regular expression over `searchText`, narrowed first by these indexes.
 */
export const TICKET_INDEXES: Array<{ key: Record<string, 1 | -1>; name: string }> = [
  { key: { requesterId: 1, createdAt: -1 }, name: 'requester_id_created' },
  { key: { sharedWithIds: 1, createdAt: -1 }, name: 'shared_created' },
  { key: { organizationId: 1, createdAt: -1 }, name: 'organization_created' },
  { key: { agentId: 1, status: 1 }, name: 'agent_id_status' },
  { key: { assigned: 1, status: 1 }, name: 'assigned_status' },
  { key: { 'assignment.team': 1, status: 1 }, name: 'team_status' },
  { key: { escalationTeams: 1, status: 1 }, name: 'escalation_status' },
  { key: { slaState: 1, status: 1 }, name: 'sla_status' },
  { key: { status: 1, createdAt: -1 }, name: 'status_created' },
  { key: { updatedAt: -1 }, name: 'updated' },
];

export async function ensureTicketIndexes(db: mongo.Db): Promise<void> {
  const rows = db.collection(ROWS_COLLECTION);
  await rows.createIndexes(TICKET_INDEXES);
  // Those of an earlier layout (e.g. on `requester.id`) cost every write and serve no query.
  const wanted = new Set(['_id_', ...TICKET_INDEXES.map((i) => i.name)]);
  for (const index of await rows.indexes()) {
    if (index.name && !wanted.has(index.name)) await rows.dropIndex(index.name).catch(() => undefined);
  }
}

export type Filter = Record<string, unknown>;
/** What the queries need of who asks. */
export type Viewer = Pick<VerifiedIdentity, 'userId' | 'role' | 'teams' | 'organizationId'>;
const NOTHING: Filter = { _id: { $in: [] } };

const isScalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/**
 * Conditions that must all hold, as one query document: each equality of a top-level field to a
 * scalar at the top level, the rest under `$and` (nested `$and`s flattened). The same query for
 * MongoDB; for the local FerretDB 1.x it is the difference between a scan of every row and a
 * SQL `WHERE`: FerretDB sends to PostgreSQL only such top-level equalities (its "pushdown"),
 * nothing under `$and`/`$or`, no dotted path, then filters and sorts what comes back itself.
 */
export function queryOf(filters: Filter[]): Filter {
  const top: Filter = {};
  const rest: Filter[] = [];
  const visit = (f: Filter) => {
    const keys = Object.keys(f);
    if (keys.length === 1 && keys[0] === '$and') return (f.$and as Filter[]).forEach(visit);
    const simple = keys.every((k) => !k.startsWith('$') && !k.includes('.') && isScalar(f[k]) && !(k in top));
    if (simple) Object.assign(top, f);
    else if (keys.length > 0) rest.push(f);
  };
  filters.forEach(visit);
  return rest.length > 0 ? { ...top, $and: rest } : top;
}

/** `canSee` (access.ts) as a query: the two must agree, and the tests check that they do. */
export function visibilityFilter(who: Viewer): Filter {
  if (who.role === 'admin') return {};
  if (who.role === 'agent') {
    const arms: Filter[] = [
      { confidential: false },
      { 'assignment.team': { $in: who.teams } },
      { escalationTeams: { $in: who.teams } },
    ];
    if (who.teams.includes('security')) arms.push({ confidential: true });
    return { $or: arms };
  }
  // Shared with them while they belong to its organisation (`isSharedWith`): someone moved to
  // another one no longer reads the old one's requests.
  const arms: Filter[] = [{ requesterId: who.userId }];
  if (who.organizationId) {
    arms.push({ sharedWithIds: who.userId, organizationId: who.organizationId });
    arms.push({ organizationId: who.organizationId, confidential: false });
  }
  return { $or: arms };
}

function scopeFilter(who: Viewer, scope: TicketListQuery['scope']): Filter {
  switch (scope) {
    case 'created':
      return { requesterId: who.userId };
    case 'shared':
      return who.organizationId ? { sharedWithIds: who.userId, organizationId: who.organizationId } : NOTHING;
    case 'organization':
      return who.organizationId ? { organizationId: who.organizationId } : NOTHING;
    case 'all':
      return {};
  }
}

function statusFilter(status: TicketListQuery['status']): Filter {
  if (status === 'all') return {};
  if (status === 'open') return { status: { $in: OPEN_STATUSES } };
  return { status };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every word must appear (in any order), accents and case ignored. */
function searchFilter(q: string | undefined): Filter {
  if (!q) return {};
  const words = normalizeText(q).split(/\s+/).filter(Boolean).slice(0, 10);
  return { $and: words.map((w) => ({ searchText: { $regex: escapeRegExp(w) } })) };
}

// ---- cursor pagination --------------------------------------------------------------------

type SortField = 'createdAt' | 'updatedAt' | 'priorityRank' | 'slaDueAt';
interface Sort {
  field: SortField;
  dir: 1 | -1;
}
/** A sort's name in the API → the row field it reads (the queues' `priority` is its rank, `slaDue` its instant). */
const SORT_FIELDS: Record<string, SortField> = {
  createdAt: 'createdAt',
  updatedAt: 'updatedAt',
  priority: 'priorityRank',
  slaDue: 'slaDueAt',
};
const parseSort = (sort: string): Sort => {
  const dir = sort.startsWith('-') ? -1 : 1;
  const field = SORT_FIELDS[dir === -1 ? sort.slice(1) : sort];
  if (!field) throw new Error(`unknown sort ${sort}`);
  return { field, dir };
};

/** A sort value as the cursor keeps it: a string, or a number (a priority's rank). */
type SortValue = string | number;

interface CursorData {
  /** Sort value and reference of the last row served. */
  v: SortValue;
  id: string;
  /** Fingerprint of the query the cursor belongs to. */
  q: string;
}

export const fingerprint = (parts: unknown) =>
  createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);

function decodeCursor(cursor: string, expected: string): CursorData {
  let data: CursorData;
  try {
    data = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorData;
  } catch {
    data = { v: '', id: '', q: '' };
  }
  const value = typeof data?.v === 'string' || (typeof data?.v === 'number' && Number.isFinite(data.v));
  if (!value || typeof data.id !== 'string' || data.q !== expected) {
    throw problem('invalid_cursor', 'This cursor belongs to another list or query.', [
      { path: 'cursor', message: 'not a cursor of this list' },
    ]);
  }
  return data;
}

const encodeCursor = (data: CursorData) => Buffer.from(JSON.stringify(data)).toString('base64url');

/**
 * The query of one page over the rows, sorted by `sort` then reference (unique), continuing
 * after the row `after` (its sort value and reference); one more row than `limit`, to tell
 * whether a next page exists. What the API sends, and the bench sends with the raw driver.
 */
export function pageQuery(filters: Filter[], sort: string, limit: number, after?: { v: SortValue; id: string }) {
  const { field, dir } = parseSort(sort);
  const all = [...filters];
  if (after) {
    const op = dir === 1 ? '$gt' : '$lt';
    all.push({ $or: [{ [field]: { [op]: after.v } }, { [field]: after.v, _id: { [op]: after.id } }] });
  }
  return {
    filter: queryOf(all),
    projection: { searchText: 0 as const },
    sort: { [field]: dir, _id: dir },
    limit: limit + 1,
    field,
  };
}

/** One page, sorted by `sort` then reference (unique), continuing after the cursor's row. */
export async function page(
  db: mongo.Db,
  filters: Filter[],
  opts: { sort: string; limit: number; cursor?: string; fingerprint: string },
  item: (row: TicketRow) => TicketListItem = listItem,
): Promise<TicketPage> {
  const after = opts.cursor ? decodeCursor(opts.cursor, opts.fingerprint) : undefined;
  const q = pageQuery(filters, opts.sort, opts.limit, after);
  const field = q.field;
  const rows = (await db
    .collection(ROWS_COLLECTION)
    .find(q.filter, { projection: q.projection })
    .sort(q.sort)
    .limit(q.limit)
    .toArray()) as unknown as TicketRow[];
  const items = rows.slice(0, opts.limit);
  const last = items.at(-1);
  return {
    items: items.map(item),
    nextCursor:
      rows.length > opts.limit && last
        ? encodeCursor({ v: cursorValue(last[field]), id: last._id, q: opts.fingerprint })
        : null,
  };
}

/** The row's sort value, as the next page compares it (same type: MongoDB compares within a type only). */
const cursorValue = (v: unknown): SortValue => (typeof v === 'number' ? v : String(v));

export function listItem(record: TicketRow): TicketListItem {
  return {
    reference: record._id,
    requestType: record.requestType,
    summary: record.summary,
    status: record.status,
    statusLabel: STATUS_LABELS[record.status],
    priority: record.priority,
    project: 'Portail du support WOOP',
    requester: { id: record.requester.id, name: record.requester.name },
    organizationId: record.organizationId,
    assignment: { ...record.assignment },
    escalated: record.escalated,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/** What the "Demandes" list of `who` holds, as conditions that must all hold. */
export function listFilters(
  who: Viewer,
  query: Pick<TicketListQuery, 'scope' | 'status' | 'requestType' | 'q'>,
): Filter[] {
  return [
    visibilityFilter(who),
    scopeFilter(who, query.scope),
    statusFilter(query.status),
    query.requestType ? { requestType: query.requestType } : {},
    searchFilter(query.q),
  ];
}

/** The "Demandes" list: what `who` may see, filtered, searched, sorted, one page. */
export function listTickets(db: mongo.Db, who: VerifiedIdentity, query: TicketListQuery): Promise<TicketPage> {
  const { cursor: _cursor, limit: _limit, ...shape } = query;
  return page(db, listFilters(who, query), {
    sort: query.sort,
    limit: query.limit,
    cursor: query.cursor,
    fingerprint: fingerprint([who.userId, shape]),
  });
}
