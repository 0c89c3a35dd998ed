import { PARIS_OFFICE_CALENDAR } from '@woop/ticket-domain';
import type { TicketRow } from '../model/read-model';
import { pageQuery, queryOf } from './queries';
import { queueFilter, queueFilters, queueSla } from './queue-queries';

describe('queryOf', () => {
  it('puts top-level equalities to a scalar on top, where FerretDB hands them to SQL', () => {
    expect(
      queryOf([
        { $or: [{ requesterId: 'u1' }, { sharedWithIds: 'u1' }] },
        { requesterId: 'u1' },
        { status: 'open' },
        {},
        { $and: [{ searchText: { $regex: 'colis' } }, { confidential: false }] },
      ]),
    ).toEqual({
      requesterId: 'u1',
      status: 'open',
      confidential: false,
      $and: [{ $or: [{ requesterId: 'u1' }, { sharedWithIds: 'u1' }] }, { searchText: { $regex: 'colis' } }],
    });
  });

  it('leaves under $and what is not such an equality: dotted paths, operators, arrays, a key already set', () => {
    expect(
      queryOf([
        { 'assignment.team': 'support' },
        { status: { $in: ['open', 'assigned'] } },
        { escalationTeams: ['a'] },
        { status: 'open' },
        { status: 'done' },
        { organizationId: 'o', confidential: false },
      ]),
    ).toEqual({
      status: 'open',
      organizationId: 'o',
      confidential: false,
      $and: [
        { 'assignment.team': 'support' },
        { status: { $in: ['open', 'assigned'] } },
        { escalationTeams: ['a'] },
        { status: 'done' },
      ],
    });
    expect(queryOf([])).toEqual({});
    expect(queryOf([{ _id: { $in: [] } }])).toEqual({ $and: [{ _id: { $in: [] } }] });
  });
});

describe('a queue', () => {
  const who = { userId: 'u-agent', role: 'agent' as const, teams: ['support'], organizationId: undefined };

  it('asks its filters as top-level equalities (what FerretDB hands PostgreSQL), the team included', () => {
    const q = pageQuery(
      [
        queueFilter(who, 'unassigned'),
        ...queueFilters({ requestType: 'report-a-bug', priority: 'high', team: 'support', organizationId: 'o1' }),
      ],
      '-priority',
      25,
    );
    expect(q.filter).toMatchObject({
      assigned: false,
      requestType: 'report-a-bug',
      priority: 'high',
      team: 'support',
      organizationId: 'o1',
    });
    expect(q.sort).toEqual({ priorityRank: -1, _id: -1 });
    expect(pageQuery([], 'slaDue', 25).sort).toEqual({ slaDueAt: 1, _id: 1 });
  });

  it('continues after a numeric sort value as a number (MongoDB compares within a type only)', () => {
    const q = pageQuery([], '-priority', 25, { v: 2, id: 'SUPPORT-9' });
    expect(q.filter).toEqual({
      $and: [{ $or: [{ priorityRank: { $lt: 2 } }, { priorityRank: 2, _id: { $lt: 'SUPPORT-9' } }] }],
    });
  });
});

describe("a queue row's SLA", () => {
  const monday9 = new Date('2026-12-07T08:00:00Z'); // 9:00 in Paris, a working Monday
  const row = (clock: NonNullable<TicketRow['slaClock']>) => ({ slaClock: clock, slaCalendar: PARIS_OFFICE_CALENDAR });

  it('counts business time left on the calendar: the night and the weekend do not count', () => {
    const clock = {
      name: 'firstResponse' as const,
      targetMinutes: 240,
      consumedMinutes: 0,
      runningSince: monday9.toISOString(),
    };
    // 11:00 on Monday: 2 h used.
    expect(queueSla(row(clock), new Date('2026-12-07T10:00:00Z'))).toEqual({
      clock: 'firstResponse',
      state: 'running',
      leftMinutes: 120,
    });
    // Started Friday 17:00, read Monday 9:30: 1 h on Friday + 30 min on Monday.
    const friday = { ...clock, runningSince: '2026-12-04T16:00:00Z', breachAt: '2026-12-07T11:00:00Z' };
    expect(queueSla(row(friday), new Date('2026-12-07T08:30:00Z'))).toEqual({
      clock: 'firstResponse',
      state: 'running',
      dueAt: '2026-12-07T11:00:00Z',
      leftMinutes: 150,
    });
  });

  it('says paused, at risk and breached (nothing left), and nothing without a clock', () => {
    const base = { name: 'resolution' as const, targetMinutes: 600, consumedMinutes: 120 };
    expect(queueSla(row(base), monday9)).toEqual({ clock: 'resolution', state: 'paused', leftMinutes: 480 });
    const running = { ...base, runningSince: monday9.toISOString() };
    expect(queueSla(row({ ...running, warnedAt: 'x' }), monday9)?.state).toBe('at_risk');
    expect(queueSla(row({ ...running, breachedAt: 'x' }), monday9)).toMatchObject({
      state: 'breached',
      leftMinutes: 0,
    });
    expect(queueSla({ slaClock: null, slaCalendar: null }, monday9)).toBeUndefined();
  });
});
