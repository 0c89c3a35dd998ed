import type { mongo } from 'mongoose';
import {
  OPEN_STATUSES,
  PRIORITIES,
  TICKET_STATUSES,
  type Report,
  type ReportQuery,
  type TicketStatus,
} from '@woop/contracts';
import type { VerifiedIdentity } from '@woop/service-kit';
import { ROWS_COLLECTION, type TicketRow } from '../model/read-model';
import { problem } from './problems';
import { queryOf, visibilityFilter } from './queries';

/**
 * The desk's reports, from the read model's rows only (never Temporal, nor the `tickets`
 * collection: the rows carry what reports need, see `DerivedFields`), with the aggregation
 * stages FerretDB 1.24 runs ($match, $project, $group by field paths, $unwind): no `$lookup`,
 * `$facet`, `$dateTrunc` or `$cond`.
 *
 * One `$match` + `$project` per report: the rows the caller may see (and the filters) that are
 * open now or were created or answered in the period, nine small fields each, counted here in
 * one pass (backlog, weeks, SLA outcomes, percentiles). On FerretDB every query scans and
 * decodes all rows (it pushes no `$or`, `$in` or range down to its SQL backend), so one scan
 * instead of one per figure is what keeps it to a few seconds at 10,000 requests. An admin's
 * team choices (`$group` by team, `$unwind` + `$group` of escalation teams) are cached a minute.
 *
 * At 100,000 requests this needs MongoDB to be fast: there, indexes on `status`, `createdAt` and
 * `resolvedAt` serve the three arms of the `$or`, and the counting can move into the database
 * (`$group` by status and type; by `$dateTrunc: {date: {$toDate: '$createdAt'}, unit: 'week',
 * startOfWeek: 'monday'}` for the weeks; `$percentile` for the medians, MongoDB 7) so that only
 * counts travel.
 */

type Filter = Record<string, unknown>;

/** Teams an agent leads: `X` and `X-leads` for each `X-leads` they belong to. */
export function ledTeams(who: Pick<VerifiedIdentity, 'teams'>): string[] {
  const led = who.teams.filter((t) => t.endsWith('-leads') && t.length > '-leads'.length);
  return [...new Set(led.flatMap((t) => [t.slice(0, -'-leads'.length), t]))].sort();
}

const teamFilter = (teams: string[]): Filter => ({
  $or: [{ 'assignment.team': { $in: teams } }, { escalationTeams: { $in: teams } }],
});

/**
 * Who may read reports, and on what: admins on everything; an agent who leads a team on the
 * requests assigned or escalated to the teams they lead; nobody else (403 `forbidden`). The
 * lists' visibility filter applies on top: a confidential request counts only for who may see it.
 */
export function reportScope(
  who: VerifiedIdentity,
  team: string | undefined,
): { filters: Filter[]; teams: string[] | null } {
  if (who.role === 'admin') return { filters: [visibilityFilter(who), team ? teamFilter([team]) : {}], teams: null };
  const led = who.role === 'agent' ? ledTeams(who) : [];
  if (led.length === 0) throw problem('forbidden', 'Reports are for admins and team leads.');
  if (team && !led.includes(team)) throw problem('forbidden', `You do not lead the team ${team}.`);
  return { filters: [visibilityFilter(who), teamFilter(team ? [team] : led)], teams: led };
}

const DAY = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** Monday (UTC) of the ISO week of `d`. */
export function weekStart(d: Date): Date {
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY);
}

/** ISO week label: 2026-W49 (the week's Thursday decides its year). */
export function isoWeek(d: Date): string {
  const thursday = new Date(weekStart(d).getTime() + 3 * DAY);
  const jan1 = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const n = Math.floor((thursday.getTime() - jan1) / DAY / 7) + 1;
  return `${thursday.getUTCFullYear()}-W${String(n).padStart(2, '0')}`;
}

/** The period asked, or the last 12 ISO weeks up to today. `to` is included. */
export function periodOf(query: Pick<ReportQuery, 'from' | 'to'>, now: Date): { from: string; to: string } {
  const to = query.to ?? isoDay(now);
  const from = query.from ?? isoDay(new Date(weekStart(new Date(`${to}T00:00:00Z`)).getTime() - 11 * 7 * DAY));
  return { from, to };
}

/** Nearest-rank percentile of sorted values (p in 0..1): the smallest value with p of them at or below it. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/** What the period's `$project` keeps of a row. */
export type PeriodRow = Pick<
  TicketRow,
  'createdAt' | 'priority' | 'resolvedAt' | 'slaFirstResponse' | 'slaResolution' | 'firstResponseMinutes' | 'csatScore'
>;

/** The period's figures from its rows (created or answered in it), in one pass. */
export function periodFigures(
  rows: Partial<PeriodRow>[],
  period: { from: string; to: string },
): Pick<Report, 'weekly' | 'sla' | 'firstResponse' | 'satisfaction'> {
  const start = Date.parse(`${period.from}T00:00:00Z`);
  const end = Date.parse(`${period.to}T00:00:00Z`) + DAY;
  const inPeriod = (iso: string | null | undefined) => {
    const t = iso ? Date.parse(iso) : NaN;
    return t >= start && t < end;
  };
  const weeks = new Map<string, Report['weekly'][number]>();
  for (let w = weekStart(new Date(start)).getTime(); w < end; w += 7 * DAY) {
    const d = new Date(w);
    weeks.set(isoWeek(d), { week: isoWeek(d), weekStart: isoDay(d), created: 0, resolved: 0 });
  }
  const sla = new Map(
    PRIORITIES.map((p) => [
      p,
      {
        priority: p,
        firstResponse: { met: 0, breached: 0, running: 0 },
        resolution: { met: 0, breached: 0, running: 0 },
      },
    ]),
  );
  const waits: number[] = [];
  const scores = [0, 0, 0, 0, 0];
  for (const t of rows) {
    if (t.resolvedAt && inPeriod(t.resolvedAt)) weeks.get(isoWeek(new Date(t.resolvedAt)))!.resolved++;
    if (!t.createdAt || !inPeriod(t.createdAt)) continue;
    weeks.get(isoWeek(new Date(t.createdAt)))!.created++;
    const row = t.priority && sla.get(t.priority);
    if (row) {
      row.firstResponse[t.slaFirstResponse ?? 'running']++;
      row.resolution[t.slaResolution ?? 'running']++;
    }
    if (typeof t.firstResponseMinutes === 'number') waits.push(t.firstResponseMinutes);
    const score = t.csatScore;
    if (typeof score === 'number' && Number.isInteger(score) && score >= 1 && score <= 5) scores[score - 1]!++;
  }
  waits.sort((a, b) => a - b);
  const ratings = scores.reduce((a, b) => a + b, 0);
  const round = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);
  return {
    weekly: [...weeks.values()],
    sla: [...sla.values()],
    firstResponse: {
      answered: waits.length,
      medianMinutes: round(percentile(waits, 0.5)),
      p90Minutes: round(percentile(waits, 0.9)),
    },
    satisfaction: {
      ratings,
      average:
        ratings === 0 ? null : Math.round((scores.reduce((s, n, i) => s + n * (i + 1), 0) / ratings) * 100) / 100,
      byScore: scores.map((n, i) => ({ score: i + 1, count: n })),
    },
  };
}

/** The two aggregations of a report (backlog, period), for `buildReport` and the bench. */
export function reportPipelines(who: VerifiedIdentity, query: ReportQuery, now: Date) {
  const scope = reportScope(who, query.team);
  const period = periodOf(query, now);
  const common = [...scope.filters, query.organizationId ? { organizationId: query.organizationId } : {}];
  const start = new Date(`${period.from}T00:00:00Z`).toISOString();
  const end = new Date(Date.parse(`${period.to}T00:00:00Z`) + DAY).toISOString();
  return {
    scope,
    period,
    /** One scan: what is open now (the backlog), and what was created or answered in the period. */
    rows: [
      {
        $match: queryOf([
          ...common,
          {
            $or: [
              { status: { $in: OPEN_STATUSES } },
              { createdAt: { $gte: start, $lt: end } },
              { resolvedAt: { $gte: start, $lt: end } },
            ],
          },
        ]),
      },
      {
        $project: {
          _id: 0,
          status: 1,
          requestType: 1,
          createdAt: 1,
          priority: 1,
          resolvedAt: 1,
          slaFirstResponse: 1,
          slaResolution: 1,
          firstResponseMinutes: 1,
          csatScore: 1,
        },
      },
    ],
  };
}

/** The report for `who`, from the rows. */
export async function buildReport(
  db: mongo.Db,
  who: VerifiedIdentity,
  query: ReportQuery,
  now = new Date(),
): Promise<Report> {
  const { scope, period, ...pipelines } = reportPipelines(who, query, now);
  const [rows, teams] = await Promise.all([
    db
      .collection(ROWS_COLLECTION)
      .aggregate<PeriodRow & Pick<TicketRow, 'status' | 'requestType'>>(pipelines.rows)
      .toArray(),
    scope.teams ?? allTeams(db, now),
  ]);
  const open = new Set<TicketStatus>(OPEN_STATUSES);
  const byStatus = new Map<TicketStatus, number>();
  const byType = new Map<string, number>();
  for (const { status, requestType } of rows) {
    if (!open.has(status)) continue;
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    byType.set(requestType, (byType.get(requestType) ?? 0) + 1);
  }
  return {
    period: { ...period, team: query.team, organizationId: query.organizationId },
    teams,
    backlog: {
      byStatus: TICKET_STATUSES.filter((s) => byStatus.has(s)).map((status) => ({
        status,
        count: byStatus.get(status)!,
      })),
      byType: [...byType]
        .map(([requestType, count]) => ({ requestType, count }))
        .sort((a, b) => b.count - a.count || a.requestType.localeCompare(b.requestType)),
    },
    ...periodFigures(rows, period),
    generatedAt: now.toISOString(),
  };
}

/** How long an admin's team choices are reused: teams come and go far less often than reports. */
const TEAMS_TTL_MS = 60_000;
const teamsCache = new WeakMap<mongo.Db, { at: number; teams: Promise<string[]> }>();

/** Every team a request is assigned or escalated to (an admin's team filter), cached for a minute. */
function allTeams(db: mongo.Db, now: Date): Promise<string[]> {
  const cached = teamsCache.get(db);
  if (cached && now.getTime() - cached.at < TEAMS_TTL_MS) return cached.teams;
  const rows = db.collection(ROWS_COLLECTION);
  const teams = Promise.all([
    rows.aggregate<{ _id: string | null }>([{ $group: { _id: '$assignment.team' } }]).toArray(),
    rows
      .aggregate<{ _id: string | null }>([{ $unwind: '$escalationTeams' }, { $group: { _id: '$escalationTeams' } }])
      .toArray(),
  ]).then(([assigned, escalated]) =>
    [
      ...new Set([...assigned, ...escalated].map((t) => t._id).filter((t): t is string => typeof t === 'string')),
    ].sort(),
  );
  teamsCache.set(db, { at: now.getTime(), teams });
  teams.catch(() => teamsCache.delete(db));
  return teams;
}
