import { PARIS_OFFICE_CALENDAR } from '@woop/ticket-domain';
import type { VerifiedIdentity } from '@woop/service-kit';
import { isoWeek, ledTeams, percentile, periodFigures, periodOf, reportScope, weekStart } from './reports';

const who = (role: VerifiedIdentity['role'], teams: string[] = []) =>
  ({ userId: 'u1', role, teams, name: 'X', locale: 'fr' }) as unknown as VerifiedIdentity;

describe('reports: weeks and periods', () => {
  it('names ISO weeks as ISO 8601 does, across years', () => {
    expect(isoWeek(new Date('2026-12-07T10:00:00Z'))).toBe('2026-W50');
    expect(isoWeek(new Date('2027-01-01T00:00:00Z'))).toBe('2026-W53');
    expect(isoWeek(new Date('2024-12-30T00:00:00Z'))).toBe('2025-W01');
    expect(weekStart(new Date('2026-12-06T23:59:00Z')).toISOString()).toBe('2026-11-30T00:00:00.000Z');
  });

  it('defaults to the 12 ISO weeks up to today', () => {
    expect(periodOf({}, new Date('2026-12-07T13:00:00Z'))).toEqual({ from: '2026-09-21', to: '2026-12-07' });
    expect(periodOf({ to: '2026-12-06' }, new Date())).toEqual({ from: '2026-09-14', to: '2026-12-06' });
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(percentile([7], 0.9)).toBe(7);
  });
});

describe('reports: who reads what', () => {
  it('lets admins and team leads in, leads on the teams they lead only', () => {
    expect(ledTeams({ teams: ['support', 'support-leads', 'security', '-leads'] })).toEqual(['support', 'support-leads']);
    expect(reportScope(who('admin'), undefined).teams).toBeNull();
    expect(reportScope(who('agent', ['support-leads']), 'support').teams).toEqual(['support', 'support-leads']);
    expect(() => reportScope(who('agent', ['support']), undefined)).toThrow(/admins and team leads/);
    expect(() => reportScope(who('agent', ['support-leads']), 'security')).toThrow(/do not lead/);
    expect(() => reportScope(who('customer'), undefined)).toThrow();
  });
});

describe('reports: the period figures', () => {
  const cal = PARIS_OFFICE_CALENDAR;
  const period = { from: '2026-11-30', to: '2026-12-13' };
  it('counts per week, per SLA outcome, and times first answers on the business calendar', () => {
    const figures = periodFigures(
      [
        // Monday 9:00 → 10:30 Paris: 90 business minutes; met in time.
        {
          createdAt: '2026-11-30T08:00:00Z',
          priority: 'high',
          sla: { firstResponse: { targetMinutes: 60, consumedMinutes: 0, metAt: '2026-11-30T09:30:00Z' }, resolution: { targetMinutes: 1, consumedMinutes: 0 } },
          slaPolicy: { calendar: cal },
          resolution: { at: '2026-12-08T10:00:00Z' },
          csat: { score: 5 },
        },
        // Friday 17:00 → Monday 10:00 Paris: 60 + 60 = 120 business minutes; breached.
        {
          createdAt: '2026-12-04T16:00:00Z',
          priority: 'high',
          sla: {
            firstResponse: { targetMinutes: 60, consumedMinutes: 0, metAt: '2026-12-07T09:00:00Z', breachedAt: '2026-12-07T08:00:00Z' },
            resolution: { targetMinutes: 1, consumedMinutes: 0, metAt: '2026-12-08T09:00:00Z' },
          },
          slaPolicy: { calendar: cal },
          csat: { score: 9 },
        },
        // Still waiting.
        { createdAt: '2026-12-09T08:00:00Z', priority: 'low', sla: {}, slaPolicy: { calendar: cal } },
        // Created before the period, answered in it: only "resolved" counts it.
        { createdAt: '2026-11-01T08:00:00Z', priority: 'low', resolution: { at: '2026-12-01T08:00:00Z' } },
      ],
      period,
    );
    expect(figures.weekly).toEqual([
      { week: '2026-W49', weekStart: '2026-11-30', created: 2, resolved: 1 },
      { week: '2026-W50', weekStart: '2026-12-07', created: 1, resolved: 1 },
    ]);
    expect(figures.sla.find((s) => s.priority === 'high')).toEqual({
      priority: 'high',
      firstResponse: { met: 1, breached: 1, running: 0 },
      resolution: { met: 1, breached: 0, running: 1 },
    });
    expect(figures.sla.find((s) => s.priority === 'low')!.firstResponse).toEqual({ met: 0, breached: 0, running: 1 });
    expect(figures.firstResponse).toEqual({ answered: 2, medianMinutes: 90, p90Minutes: 120 });
    // Out-of-range scores are not ratings.
    expect(figures.satisfaction).toMatchObject({ ratings: 1, average: 5 });
  });
});
