import { z } from 'zod';
import { PRIORITIES, TICKET_REASON_MAX, ticketText, type BusinessCalendarSpec } from '@woop/contracts';
import { businessMinutesBetween, PARIS_OFFICE_CALENDAR } from '@woop/ticket-domain';
import { businessHours } from './business-time';
import { formatDate, formErrors } from './i18n';
import type { PageContext } from './kit';
import { catalogueOf, orNothing, peopleOf } from './lookups';
import type { TicketDetail } from './request-pages';

// The contract's limits (packages/contracts/src/tickets/actions.ts): the workflow checks the same.
const text = ticketText();
const priority = z.enum(PRIORITIES);
const optionalId = z
  .string()
  .max(64)
  .optional()
  .transform((v) => (v ? v : undefined));
const team = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,31}$/)
  .optional()
  .or(z.literal('').transform(() => undefined));

/** The form of each agent action, from the posted fields to the payload the workflow takes. */
export const STAFF_FORMS: Record<string, z.ZodType<Record<string, unknown>>> = {
  qualify: z
    .object({ priority, billable: z.enum(['true', 'false']), requestType: optionalId, agentId: optionalId, team })
    .transform(({ priority, billable, requestType, agentId, team }) => ({
      priority,
      billable: billable === 'true',
      ...(requestType ? { requestType } : {}),
      ...(agentId || team ? { assignment: { ...(agentId ? { agentId } : {}), ...(team ? { team } : {}) } } : {}),
    })),
  assign: z
    .object({ agentId: optionalId, team })
    .refine((a) => a.agentId !== undefined || a.team !== undefined, { path: ['agentId'], message: 'required' })
    .transform(({ agentId, team }) => ({ ...(agentId ? { agentId } : {}), ...(team ? { team } : {}) })),
  start: z.object({}).transform(() => ({})),
  requestInformation: z.object({ question: text }),
  changePriority: z
    .object({ priority, reason: z.string().trim().max(TICKET_REASON_MAX).optional() })
    .transform(({ priority, reason }) => ({ priority, ...(reason ? { reason } : {}) })),
  resolve: z.object({ answer: text }),
  reject: z.object({ reason: ticketText(TICKET_REASON_MAX) }),
};

/** An agent action's payload from its form, or the form's errors; undefined for an action that has no form. */
export function staffActionPayload(
  ctx: PageContext,
  action: string,
  body: Record<string, string>,
): { payload: Record<string, unknown> } | { errors: Record<string, string> } | undefined {
  const schema = STAFF_FORMS[action];
  if (!schema || ctx.me?.role === 'customer') return undefined;
  const checked = formErrors(schema, body, ctx.locale);
  return checked.errors ? { errors: checked.errors } : { payload: checked.data };
}

type Clock = NonNullable<TicketDetail['ticket']['sla']>['firstResponse'];

/**
 * What a clock says: met, breached, at risk, running or paused, its deadline, and the business
 * time left on the ticket's own calendar (a running clock keeps counting since `runningSince`).
 */
export function clockView(ctx: PageContext, clock: Clock, calendar: BusinessCalendarSpec, now = new Date()) {
  const state = clock.metAt
    ? 'met'
    : clock.breachedAt
      ? 'breached'
      : clock.warnedAt
        ? 'at-risk'
        : clock.runningSince
          ? 'running'
          : 'paused';
  const running =
    clock.runningSince && !clock.metAt ? businessMinutesBetween(calendar, new Date(clock.runningSince), now) : 0;
  const left = Math.max(0, clock.targetMinutes - clock.consumedMinutes - running);
  // Whole minutes first, then hours: 239.6 minutes read "4 h 00", never "3 h 60".
  const hours = businessHours;
  return {
    state,
    label: ctx.t(`sla.state-${state}`),
    target: hours(clock.targetMinutes),
    left: hours(left),
    breachAt: formatDate(clock.breachAt, ctx.locale),
    metAt: formatDate(clock.metAt, ctx.locale),
  };
}

/**
 * The agent's part of the request page: SLA clocks, priority, billable, assignment, the forms
 * of the agent actions allowed now, and, for an admin, the ticket's workflow in the Temporal UI
 * (which decrypts payloads for admins only, through the gateway's codec endpoint).
 */
export async function agentView(
  ctx: PageContext,
  detail: TicketDetail,
  extra: { errors?: Record<string, string>; values?: Record<string, string>; form?: string },
) {
  const { ticket, allowed } = detail;
  // Agents get the policy the ticket was created under, its calendar included.
  const calendar =
    (ticket as { slaPolicy?: { calendar?: BusinessCalendarSpec } }).slaPolicy?.calendar ?? PARIS_OFFICE_CALENDAR;
  const [people, catalogue] = await Promise.all([orNothing(peopleOf(ctx)), orNothing(catalogueOf(ctx))]);
  const agents = people.filter((p) => p.role !== 'customer' && p.status === 'active');
  const teams = [...new Set(agents.flatMap((a) => a.teams))].sort();
  const assignee = agents.find((a) => a.userId === ticket.assignment?.agentId);
  const values = (name: string) => (extra.form === name ? (extra.values ?? {}) : {});
  const errors = (name: string) => (extra.form === name ? (extra.errors ?? {}) : {});
  const forms = Object.keys(STAFF_FORMS)
    .filter((a) => allowed.includes(a as never))
    .map((name) => ({ name, label: ctx.t(`action.${name}`), values: values(name), errors: errors(name) }));
  const { temporalUiUrl, temporalNamespace, zipkinUiUrl } = ctx.deps;
  const workflowQuery = encodeURIComponent(`WorkflowId="ticket-${ticket.reference}"`);
  return {
    priorities: PRIORITIES.map((p) => ({ value: p, label: ctx.t(`priority.${p}`) })),
    priority: ctx.t(`priority.${ticket.priority}`),
    billableOptions: [
      { value: 'false', label: ctx.t('common.no') },
      { value: 'true', label: ctx.t('common.yes') },
    ],
    agents: agents.map((a) => ({ value: a.userId, label: `${a.fullName || a.email} (${a.teams.join(', ')})` })),
    /** Names of the people the activity mentions by id (assignments). */
    names: new Map(people.map((p) => [p.userId, p.fullName || p.email])),
    teams: teams.map((t) => ({ value: t, label: t })),
    requestTypes: catalogue.map((t) => ({ value: t.key, label: t.label[ctx.locale] })),
    assignee: assignee ? assignee.fullName || assignee.email : undefined,
    /** The requester's language (their account's), when the directory has them: the request's language. */
    requesterLocale: people.find((p) => p.userId === ticket.requester.id)?.locale,
    team: ticket.assignment?.team,
    escalationTeams: ticket.escalationTeams ?? [],
    sla: ticket.sla
      ? {
          firstResponse: clockView(ctx, ticket.sla.firstResponse, calendar),
          resolution: clockView(ctx, ticket.sla.resolution, calendar),
        }
      : undefined,
    forms,
    can: Object.fromEntries(forms.map((f) => [f.name, true])),
    canNote: allowed.includes('addInternalNote'),
    ...(ctx.me?.role === 'admin'
      ? {
          temporalUrl: `${temporalUiUrl}/namespaces/${encodeURIComponent(temporalNamespace)}/workflows?query=${workflowQuery}`,
        }
      : {}),
    ...(zipkinUiUrl
      ? { traceUrl: zipkinTraceSearch(zipkinUiUrl, String(ticket.reference), String(ticket.createdAt)) }
      : {}),
  };
}

/**
 * The Zipkin UI's search for every trace that names the ticket (`ticket.reference` is a span
 * tag, matched by `annotationQuery`), from its creation to a day after the page was shown: the
 * UI runs a search only with a time range in the URL, and its default range is 15 minutes.
 */
export function zipkinTraceSearch(base: string, reference: string, createdAt: string, now = Date.now()): string {
  const created = Date.parse(createdAt);
  const params = new URLSearchParams({
    annotationQuery: `ticket.reference=${reference}`,
    lookback: 'range',
    startTs: String((Number.isNaN(created) ? now - 7 * 86_400_000 : created) - 60_000),
    endTs: String(now + 86_400_000),
    limit: '50',
  });
  return `${base.replace(/\/$/, '')}/zipkin/?${params.toString()}`;
}
