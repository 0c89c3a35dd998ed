import type { TFunction } from 'i18next';
import { formatDate, type Locale } from './i18n';

/** What the page reads of an SLA clock and of the ticket (the API's ticket, as a customer gets it). */
interface Clock {
  breachAt?: string;
  breachedAt?: string;
  metAt?: string;
}
interface Ticket {
  status: string;
  qualified: boolean;
  sla?: { firstResponse: Clock; resolution: Clock };
}

/** What the customer is told of a target: when it falls due, that it is late, or that it waits for them. */
export type PromiseKind = 'first-answer-due' | 'first-answer-late' | 'resolution-due' | 'resolution-late' | 'paused';
export interface PromiseLine {
  kind: PromiseKind;
  text: string;
}

/** Support has the ball: the SLA clocks run (the workflow's RUNNING_STATUSES). */
const SUPPORT_STATUSES: ReadonlySet<string> = new Set(['open', 'assigned', 'in_progress']);

/**
 * Where one clock stands for the customer: met (nothing to promise), late (its due time has come,
 * breached or about to be marked so: never a date in the past), or due at the instant the
 * workflow computed on the ticket's business calendar (`breachAt`, kept only while it runs).
 */
function standing(clock: Clock | undefined, now: Date): { late: true } | { late: false; dueAt: string } | undefined {
  if (!clock || clock.metAt) return undefined;
  if (clock.breachedAt || (clock.breachAt && Date.parse(clock.breachAt) <= now.getTime())) return { late: true };
  return clock.breachAt ? { late: false, dueAt: clock.breachAt } : undefined;
}

/**
 * The promise a customer reads on their request page: when the first answer is due, and once
 * the request is qualified (its priority, hence its targets, settled) when it should be
 * resolved; while the request waits for them, that the clocks are paused. Nothing once the
 * targets are met or when the request is no longer support's to move (RÉSOLU, REJETÉ, …).
 * A target that has passed is said to be late, never shown as a date gone by. Due times are
 * the workflow's own (`sla.*.breachAt`), computed on the ticket's calendar: nothing is recomputed.
 */
export function promiseLines(ticket: Ticket, t: TFunction, locale: Locale, now = new Date()): PromiseLine[] {
  const sla = ticket.sla;
  if (!sla) return [];
  const pending = !sla.firstResponse.metAt || !sla.resolution.metAt;
  if (ticket.status === 'waiting_for_customer') {
    return pending ? [{ kind: 'paused', text: t('promise.paused') }] : [];
  }
  if (!SUPPORT_STATUSES.has(ticket.status)) return [];
  const lines: PromiseLine[] = [];
  const say = (name: 'first-answer' | 'resolution', clock: Clock) => {
    const where = standing(clock, now);
    if (!where) return;
    const kind: PromiseKind = `${name}-${where.late ? 'late' : 'due'}`;
    const text = where.late
      ? t(`promise.${kind}`)
      : t(`promise.${kind}`, { date: formatDate(where.dueAt, locale, 'full') });
    lines.push({ kind, text });
  };
  say('first-answer', sla.firstResponse);
  if (ticket.qualified) say('resolution', sla.resolution);
  return lines;
}
