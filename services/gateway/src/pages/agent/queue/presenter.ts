import type { TFunction } from 'i18next';
import {
  PRIORITIES,
  QUEUE_FILTERS,
  queuePageQuery,
  type QueueName,
  type QueueSla,
  type QueueSort,
  type TicketListItem,
} from '@woop/contracts';
import { businessHours } from '../../business-time';
import { formatDate, type Locale } from '../../i18n';
import type { Person, RequestType } from '../../lookups';
import type { Table } from '../../reports/presenter';

/** What the URL of a queue page says: its order and filters (the cursor aside). */
export type QueueView = Partial<Record<(typeof QUEUE_FILTERS)[number], string>> & { sort: QueueSort };
export const DEFAULT_SORT: QueueSort = 'createdAt';

/**
 * The order and filters of the URL, as the service takes them; when they do not hold (a sort or
 * a priority that is not one), none, and the page says so. Blank filters are no filters.
 */
export function viewOf(query: Record<string, unknown>): { view: QueueView; invalid: boolean } {
  const given = Object.fromEntries(
    (['sort', ...QUEUE_FILTERS] as const)
      .map((k) => [k, query[k]] as const)
      .filter(([, v]) => typeof v === 'string' && v !== ''),
  );
  const parsed = queuePageQuery.pick({
    sort: true,
    requestType: true,
    priority: true,
    team: true,
    organizationId: true,
  });
  const checked = parsed.safeParse(given);
  return checked.success ? { view: checked.data, invalid: false } : { view: { sort: DEFAULT_SORT }, invalid: true };
}

/** The view as a query string: only the filters given, the sort when not the default, then the cursor. */
export function viewQuery(view: QueueView, cursor?: string): string {
  const params = new URLSearchParams();
  if (view.sort !== DEFAULT_SORT) params.set('sort', view.sort);
  for (const key of QUEUE_FILTERS) if (view[key]) params.set(key, view[key]);
  if (cursor) params.set('cursor', cursor);
  return params.toString();
}

const withQuery = (path: string, query: string) => (query ? `${path}?${query}` : path);

/** The queue's links, each keeping the order and filters: the next page, past the first the first, the CSV of this one. */
export function queuePager(queue: QueueName, view: QueueView, cursor: string | undefined, nextCursor: string | null) {
  const base = `/agent/queues/${queue}`;
  return {
    next: nextCursor ? withQuery(base, viewQuery(view, nextCursor)) : null,
    first: cursor ? withQuery(base, viewQuery(view)) : null,
    csv: withQuery(`${base}/export.csv`, viewQuery(view, cursor)),
  };
}

/** Columns that sort, and which way first: the highest priority and the nearest deadline first. */
const SORTABLE = [
  { column: 'priority', first: '-priority' },
  { column: 'sla', first: 'slaDue' },
  { column: 'created', first: 'createdAt' },
  { column: 'updated', first: '-updatedAt' },
] as const;
const FIELD_OF = { priority: 'priority', sla: 'slaDue', created: 'createdAt', updated: 'updatedAt' } as const;

/**
 * Each sortable column's header link (the same filters, back to the first page) and its
 * `aria-sort`: the column sorted now links to the other way, the others to their first way.
 */
export function sortLinks(queue: QueueName, view: QueueView) {
  const current = view.sort.replace(/^-/, '');
  const descending = view.sort.startsWith('-');
  return Object.fromEntries(
    SORTABLE.map(({ column, first }) => {
      const field = FIELD_OF[column];
      const active = current === field;
      const sort: QueueSort = active ? (descending ? field : `-${field}`) : first;
      const href = withQuery(`/agent/queues/${queue}`, viewQuery({ ...view, sort }));
      return [column, { href, ariaSort: active ? (descending ? 'descending' : 'ascending') : 'none', active }];
    }),
  );
}

/** The SLA cell: time left on the business calendar ("1 h 00"), paused, at risk or breached, in words. */
export function slaCell(sla: QueueSla | undefined, t: TFunction, locale: Locale) {
  if (!sla) return { text: t('queue.sla-none'), state: 'none' };
  const left = businessHours(sla.leftMinutes);
  const text =
    sla.state === 'breached'
      ? t('queue.sla-breached')
      : sla.state === 'paused'
        ? t('queue.sla-paused', { left })
        : sla.state === 'at_risk'
          ? t('queue.sla-at-risk', { left })
          : t('queue.sla-left', { left });
  return {
    text,
    state: sla.state,
    clock: t(`queue.sla-clock-${sla.clock}`),
    due: sla.dueAt ? t('queue.sla-due', { at: formatDate(sla.dueAt, locale) }) : undefined,
  };
}

/** How long ago a request was created, as a person says it ("il y a 3 jours", "2 hours ago"). */
export function ageOf(iso: string, now: Date, locale: Locale): string {
  const at = new Date(iso).getTime();
  if (Number.isNaN(at)) return '';
  const rtf = new Intl.RelativeTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { numeric: 'auto' });
  const minutes = Math.max(0, Math.floor((now.getTime() - at) / 60_000));
  if (minutes < 1) return rtf.format(0, 'second');
  if (minutes < 60) return rtf.format(-minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return rtf.format(-hours, 'hour');
  const days = Math.floor(hours / 24);
  return new Intl.RelativeTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { numeric: 'always' }).format(-days, 'day');
}

export interface QueueLookups {
  types: Map<string, RequestType>;
  /** Names only: what a row shows of an assignee. */
  people: Map<string, Pick<Person, 'userId' | 'fullName' | 'email'>>;
  organizations: Map<string, string>;
}

/** One row of a queue as the table shows it: its type, who asked, who works on it, how old, SLA left. */
export function queueRow(row: TicketListItem, lookups: QueueLookups, t: TFunction, locale: Locale, now: Date) {
  const agent = row.assignment.agentId ? lookups.people.get(row.assignment.agentId) : undefined;
  return {
    ...row,
    type: lookups.types.get(row.requestType),
    typeLabel: lookups.types.get(row.requestType)?.label[locale] ?? row.requestType,
    organization: lookups.organizations.get(row.organizationId),
    team: row.assignment.team,
    assignee: row.assignment.agentId ? agent?.fullName || agent?.email || row.assignment.agentId : undefined,
    age: ageOf(row.createdAt, now, locale),
    created: formatDate(row.createdAt, locale),
    updated: formatDate(row.updatedAt, locale),
    slaCell: slaCell(row.sla, t, locale),
  };
}
export type QueueRow = ReturnType<typeof queueRow>;

/** The rows shown, as a table for the CSV (csvOf): the page's columns, in its language. */
export function queueTable(rows: QueueRow[], t: TFunction): Table {
  return {
    headers: [
      'reference',
      'type',
      'summary',
      'status',
      'priority',
      'requester',
      'organization',
      'team',
      'assignee',
      'sla',
      'created',
      'updated',
    ].map((c) => t(`queue.csv-${c}`)),
    rows: rows.map((r) => [
      r.reference,
      r.typeLabel,
      r.summary,
      t(`status.${r.status}`),
      t(`priority.${r.priority}`),
      r.requester.name,
      r.organization ?? r.organizationId,
      r.team ?? '',
      r.assignee ?? '',
      r.slaCell.text,
      r.created,
      r.updated,
    ]),
  };
}

/** The filter form's choices, the one in the URL selected. */
export function filterChoices(
  view: QueueView,
  t: TFunction,
  locale: Locale,
  lists: { types: RequestType[]; teams: string[]; organizations: Array<{ organizationId: string; name: string }> },
) {
  const mark = <T extends { value: string }>(key: keyof QueueView, items: T[]) =>
    items.map((i) => ({ ...i, selected: i.value === view[key] }));
  return {
    requestTypes: mark(
      'requestType',
      lists.types.map((ty) => ({ value: ty.key, label: ty.label[locale] })),
    ),
    priorities: mark(
      'priority',
      PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) })),
    ),
    teams: mark(
      'team',
      lists.teams.map((team) => ({ value: team, label: team })),
    ),
    organizations: mark(
      'organizationId',
      [...lists.organizations]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((o) => ({ value: o.organizationId, label: o.name })),
    ),
  };
}
