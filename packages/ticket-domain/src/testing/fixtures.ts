import type { Actor, BusinessCalendarSpec, NewTicket, SlaPolicy } from '@woop/contracts';

/** Round-the-clock UTC calendar: business time equals wall time, which keeps tests readable. */
export const ALWAYS_OPEN: BusinessCalendarSpec = {
  timeZone: 'UTC',
  workingDays: [1, 2, 3, 4, 5, 6, 7],
  openMinute: 0,
  closeMinute: 1440,
  holidayRules: [],
  extraHolidays: [],
};

export function testPolicy(overrides: Partial<SlaPolicy> = {}): SlaPolicy {
  return {
    id: 'test-policy',
    targets: {
      low: { firstResponseMinutes: 480, resolutionMinutes: 4800 },
      medium: { firstResponseMinutes: 240, resolutionMinutes: 2400 },
      high: { firstResponseMinutes: 60, resolutionMinutes: 480 },
      critical: { firstResponseMinutes: 15, resolutionMinutes: 240 },
    },
    calendar: ALWAYS_OPEN,
    warningRatio: 0.75,
    escalationTeam: 'support-leads',
    ...overrides,
  };
}

export function newTicket(overrides: Partial<NewTicket> = {}): NewTicket {
  return {
    reference: 'SUPPORT-1',
    requestType: 'ask-a-question',
    organizationId: 'org-retailer',
    requester: { id: 'u-claire', name: 'Claire Martin' },
    summary: 'Où est ma livraison ?',
    confidential: false,
    defaultTeam: 'support',
    priority: 'medium',
    slaPolicy: testPolicy(),
    windows: { validationMinutes: 5 * 540, validationReminderMinutes: 540, reopenMinutes: 10 * 540 },
    ...overrides,
  };
}

export const CUSTOMER: Actor = { id: 'u-claire', role: 'customer', name: 'Claire Martin' };
export const AGENT: Actor = { id: 'a-paul', role: 'agent', name: 'Paul Agent' };
export const ADMIN: Actor = { id: 'ad-zoe', role: 'admin', name: 'Zoé Admin' };
