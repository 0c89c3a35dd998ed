import { PRIORITIES, type Priority, type TicketState, type TicketStatus } from '@woop/contracts/workflow';
import { addBusinessMinutes } from '../calendar';
import { CLOCKS } from './sla';

/**
 * Clocks and windows: when the client-validation and reopen windows end, and the next instant
 * at which something falls due (SLA warning or breach, a reminder, a window). The SLA clocks
 * themselves are `sla.ts`; what happens when something falls due is `timers.ts`.
 */

/**
 * The windows of the status the ticket enters at `now`: RÉSOLU opens the validation window
 * (and its reminder), TERMINÉ the reopen window; any other status has none.
 */
export function openWindows(state: TicketState, to: TicketStatus, now: Date): void {
  const cal = state.slaPolicy.calendar;
  delete state.validationDueAt;
  delete state.validationReminderAt;
  delete state.validationRemindedAt;
  delete state.reopenUntil;
  if (to === 'resolved') {
    const { validationMinutes, validationReminderMinutes } = state.windows;
    state.validationDueAt = addBusinessMinutes(cal, now, validationMinutes).toISOString();
    if (validationReminderMinutes > 0 && validationReminderMinutes < validationMinutes) {
      state.validationReminderAt = addBusinessMinutes(
        cal,
        now,
        validationMinutes - validationReminderMinutes,
      ).toISOString();
    }
  }
  if (to === 'done') state.reopenUntil = addBusinessMinutes(cal, now, state.windows.reopenMinutes).toISOString();
}

/** The earliest instant at which something falls due (SLA warning or breach, windows). */
export function nextDueAt(state: TicketState): Date | undefined {
  const candidates: string[] = [];
  for (const name of CLOCKS) {
    const c = state.sla[name];
    if (c.warningAt) candidates.push(c.warningAt);
    if (c.breachAt) candidates.push(c.breachAt);
  }
  if (state.status === 'resolved') {
    if (state.validationDueAt) candidates.push(state.validationDueAt);
    if (state.validationReminderAt && !state.validationRemindedAt) candidates.push(state.validationReminderAt);
  }
  if (state.status === 'done' && state.reopenUntil) candidates.push(state.reopenUntil);
  if (candidates.length === 0) return undefined;
  return new Date(Math.min(...candidates.map((c) => Date.parse(c))));
}

/** Whether the instant `iso` has come at `now`. */
export const isDue = (iso: string | undefined, now: Date): boolean =>
  iso !== undefined && Date.parse(iso) <= now.getTime();

/** One priority step up (a breach escalates); critical stays critical. */
export const nextPriority = (p: Priority): Priority =>
  PRIORITIES[Math.min(PRIORITIES.indexOf(p) + 1, PRIORITIES.length - 1)]!;
