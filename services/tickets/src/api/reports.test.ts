import type { TicketState } from '@woop/contracts';
import { createTicket, PARIS_OFFICE_CALENDAR } from '@woop/ticket-domain';
import { newTicket, testPolicy } from '../../../../packages/ticket-domain/src/testing/fixtures';
import type { VerifiedIdentity } from '@woop/service-kit';
import { rowOf } from '../model/read-model';
import {
  isoWeek,
  ledTeams,
  percentile,
  periodFigures,
  periodOf,
  reportScope,
  weekStart,
  type PeriodRow,
} from './reports';

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
    expect(ledTeams({ teams: ['support', 'support-leads', 'security', '-leads'] })).toEqual([
      'support',
      'support-leads',
    ]);
    expect(reportScope(who('admin'), undefined).teams).toBeNull();
    expect(reportScope(who('agent', ['support-leads']), 'support').teams).toEqual(['support', 'support-leads']);
    expect(() => reportScope(who('agent', ['support']), undefined)).toThrow(/admins and team leads/);
    expect(() => reportScope(who('agent', ['support-leads']), 'security')).toThrow(/do not lead/);
    expect(() => reportScope(who('customer'), undefined)).toThrow();
  });
});

describe('reports: the rows carry what they count', () => {
  const T0 = '2026-11-30T08:00:00Z'; // Monday 9:00 in Paris
  const createdTicket = (at: string) =>
    createTicket(newTicket({ slaPolicy: testPolicy({ calendar: PARIS_OFFICE_CALENDAR }) }), new Date(at)).state;
  const state = (over: Partial<TicketState>): TicketState => ({ ...createdTicket(T0), ...over });
  it('keeps SLA outcomes, the answer time, business minutes to the first answer and a rating', () => {
    const base = createdTicket(T0);
    const answered = state({
      // Monday 9:00 → 10:30 in Paris: 90 business minutes.
      sla: {
        firstResponse: { ...base.sla.firstResponse, metAt: '2026-11-30T09:30:00Z' },
        resolution: { ...base.sla.resolution, breachedAt: '2026-12-01T08:00:00Z' },
      },
      resolution: { answer: 'ok', at: '2026-12-02T08:00:00Z', by: { id: 'a', role: 'agent', name: 'A' } },
    });
    const row = rowOf('SUPPORT-1', { ...answered, csat: { score: 4 } } as TicketState);
    expect(row).toMatchObject({
      resolvedAt: '2026-12-02T08:00:00Z',
      slaFirstResponse: 'met',
      slaResolution: 'breached',
      firstResponseMinutes: 90,
      csatScore: 4,
    });
    // Friday 17:00 → Monday 10:00 in Paris (open 9:00–18:00): 60 + 60 business minutes.
    const weekend = state({
      createdAt: '2026-12-04T16:00:00Z',
      sla: { ...base.sla, firstResponse: { ...base.sla.firstResponse, metAt: '2026-12-07T09:00:00Z' } },
    });
    expect(rowOf('SUPPORT-2', weekend).firstResponseMinutes).toBe(120);
    expect(rowOf('SUPPORT-3', { ...base, csat: { score: 9 } } as TicketState)).toMatchObject({
      resolvedAt: null,
      slaFirstResponse: 'running',
      firstResponseMinutes: null,
      csatScore: null,
    });
  });
});

describe('reports: the period figures', () => {
  const period = { from: '2026-11-30', to: '2026-12-13' };
  it('counts per week, per SLA outcome, and takes the percentiles of first answers', () => {
    const row = (over: Partial<PeriodRow>): PeriodRow => ({
      createdAt: '2026-11-30T08:00:00Z',
      priority: 'high',
      resolvedAt: null,
      slaFirstResponse: 'running',
      slaResolution: 'running',
      firstResponseMinutes: null,
      csatScore: null,
      ...over,
    });
    const figures = periodFigures(
      [
        row({ slaFirstResponse: 'met', firstResponseMinutes: 90, resolvedAt: '2026-12-08T10:00:00Z', csatScore: 5 }),
        row({
          createdAt: '2026-12-04T16:00:00Z',
          slaFirstResponse: 'breached',
          slaResolution: 'met',
          firstResponseMinutes: 120,
        }),
        row({ createdAt: '2026-12-09T08:00:00Z', priority: 'low' }),
        // Created before the period, answered in it: only "resolved" counts it.
        row({
          createdAt: '2026-11-01T08:00:00Z',
          priority: 'low',
          resolvedAt: '2026-12-01T08:00:00Z',
          firstResponseMinutes: 5,
        }),
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
    expect(figures.satisfaction).toMatchObject({ ratings: 1, average: 5 });
  });
});
