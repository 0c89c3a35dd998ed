import type { BusinessCalendarSpec, LifecycleWindows, SlaPolicy, SlaTarget, Priority } from '@woop/contracts/workflow';
import { PARIS_OFFICE_CALENDAR } from './calendar';

const H = 60;

const targets = (t: Record<Priority, [number, number]>): Record<Priority, SlaTarget> =>
  Object.fromEntries(
    Object.entries(t).map(([p, [first, resolution]]) => [
      p,
      { firstResponseMinutes: first * H, resolutionMinutes: resolution * H },
    ]),
  ) as Record<Priority, SlaTarget>;

/**
 * Default SLA policies, in business hours of the Paris office calendar (a business day is 9 h).
 * The request-type catalogue names one per type; a ticket keeps a snapshot of the one in force
 * when it was created.
 */
export const DEFAULT_SLA_POLICIES = {
  standard: {
    id: 'standard',
    //                  first response, resolution (business hours)
    targets: targets({ critical: [0.5, 4], high: [1, 9], medium: [4, 27], low: [8, 45] }),
    calendar: PARIS_OFFICE_CALENDAR,
    warningRatio: 0.75,
    escalationTeam: 'support-leads',
  },
  security: {
    id: 'security',
    targets: targets({ critical: [0.25, 2], high: [0.5, 4], medium: [1, 9], low: [4, 27] }),
    calendar: PARIS_OFFICE_CALENDAR,
    warningRatio: 0.75,
    escalationTeam: 'security-leads',
  },
  // Erasure requests must be answered within a month (GDPR art. 12.3): 20 business days.
  'personal-data': {
    id: 'personal-data',
    targets: targets({ critical: [4, 90], high: [9, 135], medium: [9, 180], low: [9, 180] }),
    calendar: PARIS_OFFICE_CALENDAR,
    warningRatio: 0.75,
    escalationTeam: 'dpo',
  },
} as const satisfies Record<string, SlaPolicy>;

export interface WindowDays {
  validationDays: number;
  validationReminderDays: number;
  reopenDays: number;
}

/** Defaults: 5 business days to validate (reminder 1 day before), 10 to reopen. */
export const DEFAULT_WINDOW_DAYS: WindowDays = { validationDays: 5, validationReminderDays: 1, reopenDays: 10 };

/** Windows in business minutes, a business day being the calendar's working hours. */
export function lifecycleWindows(days: WindowDays, calendar: BusinessCalendarSpec): LifecycleWindows {
  const day = calendar.closeMinute - calendar.openMinute;
  return {
    validationMinutes: days.validationDays * day,
    validationReminderMinutes: days.validationReminderDays * day,
    reopenMinutes: days.reopenDays * day,
  };
}
