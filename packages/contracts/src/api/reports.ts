import { z } from 'zod';
import { PRIORITIES, TICKET_STATUSES } from '../tickets/model';

/**
 * The desk's reports (`GET /v1/reports` on the tickets service, `GET /api/v1/reports` on the
 * gateway): figures for a period, computed from the read model. Admins, and agents who lead a
 * team (members of `<team>-leads`), scoped to the teams they lead.
 */

/** A calendar date, YYYY-MM-DD (zod checks the day exists: no 2025-02-29). */
const isoDate = z.iso.date();

/** The longest period a report covers: two years of weeks. */
export const REPORT_MAX_DAYS = 731;

export const reportQuery = z
  .object({
    from: isoDate.optional().describe('First day (UTC), YYYY-MM-DD; default: the Monday 11 weeks before `to`'),
    to: isoDate.optional().describe('Last day (UTC), included, YYYY-MM-DD; default: today'),
    team: z.string().trim().min(1).max(100).optional().describe('Only requests assigned or escalated to this team'),
    organizationId: z.string().trim().min(1).max(200).optional().describe("Only this organisation's requests"),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: '`from` is after `to`', path: ['from'] })
  .refine((q) => !q.from || !q.to || (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 <= REPORT_MAX_DAYS, {
    message: `at most ${REPORT_MAX_DAYS} days`,
    path: ['to'],
  });
export type ReportQuery = z.infer<typeof reportQuery>;

const count = z.number().int().min(0);
const slaCounts = z.object({ met: count, breached: count, running: count });

export const reportSchema = z.object({
  period: z.object({
    from: z.string(),
    to: z.string(),
    team: z.string().optional(),
    organizationId: z.string().optional(),
  }),
  /** The teams the caller may filter on: those they lead, or every team (admins). */
  teams: z.array(z.string()),
  /** Requests created, and answered (RÉSOLU reached: `resolution.at`), per ISO week of the period. */
  weekly: z.array(
    z.object({
      week: z.string().describe('ISO week, 2026-W49'),
      weekStart: z.string(),
      created: count,
      resolved: count,
    }),
  ),
  /** Requests open now (neither TERMINÉ nor CLÔTURÉ), whenever created. */
  backlog: z.object({
    byStatus: z.array(z.object({ status: z.enum(TICKET_STATUSES), count })),
    byType: z.array(z.object({ requestType: z.string(), count })),
  }),
  /**
   * SLA clocks of the requests created in the period, per (current) priority: met within target,
   * breached (met late or still running past it), still running (or stopped without an answer).
   */
  sla: z.array(z.object({ priority: z.enum(PRIORITIES), firstResponse: slaCounts, resolution: slaCounts })),
  /** Time to the first public answer, in business minutes of each request's calendar. */
  firstResponse: z.object({
    answered: count,
    medianMinutes: z.number().nullable(),
    p90Minutes: z.number().nullable(),
  }),
  /** Ratings (1–5) of the requests created in the period, when there are any. */
  satisfaction: z.object({
    ratings: count,
    average: z.number().nullable(),
    byScore: z.array(z.object({ score: z.number().int().min(1).max(5), count })),
  }),
  generatedAt: z.string(),
});
export type Report = z.infer<typeof reportSchema>;
