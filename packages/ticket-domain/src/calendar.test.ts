import {
  addBusinessMinutes,
  businessMinutesBetween,
  easterSunday,
  frenchPublicHolidays,
  PARIS_OFFICE_CALENDAR as paris,
} from './calendar';
import { ALWAYS_OPEN } from './testing/fixtures';

const at = (iso: string) => new Date(iso);
const H = 60;

describe('French public holidays', () => {
  it('computes Easter for known years', () => {
    expect(easterSunday(2024)).toEqual({ year: 2024, month: 3, day: 31 });
    expect(easterSunday(2025)).toEqual({ year: 2025, month: 4, day: 20 });
    expect(easterSunday(2026)).toEqual({ year: 2026, month: 4, day: 5 });
    expect(easterSunday(2038)).toEqual({ year: 2038, month: 4, day: 25 });
  });

  it('lists the eleven holidays of 2026, movable ones from Easter', () => {
    expect(frenchPublicHolidays(2026)).toEqual([
      '2026-01-01',
      '2026-04-06',
      '2026-05-01',
      '2026-05-08',
      '2026-05-14',
      '2026-05-25',
      '2026-07-14',
      '2026-08-15',
      '2026-11-01',
      '2026-11-11',
      '2026-12-25',
    ]);
  });
});

describe('addBusinessMinutes on the Paris office calendar (Mon–Fri 9:00–18:00)', () => {
  it('stays within the day when the target fits', () => {
    // Tuesday 2026-11-24 10:00 Paris (UTC+1) + 2 h = 12:00 Paris
    expect(addBusinessMinutes(paris, at('2026-11-24T09:00:00Z'), 2 * H)).toEqual(at('2026-11-24T11:00:00Z'));
  });

  it('carries over the night', () => {
    // Tuesday 17:00 + 2 h = Wednesday 10:00
    expect(addBusinessMinutes(paris, at('2026-11-24T16:00:00Z'), 2 * H)).toEqual(at('2026-11-25T09:00:00Z'));
  });

  it('skips the weekend', () => {
    // Friday 2026-11-27 17:00 + 4 h = Monday 2026-11-30 12:00
    expect(addBusinessMinutes(paris, at('2026-11-27T16:00:00Z'), 4 * H)).toEqual(at('2026-11-30T11:00:00Z'));
  });

  it('skips a public holiday next to a weekend', () => {
    // Tuesday 2026-11-10 17:00 + 2 h: Wednesday 11 Nov is Armistice → Thursday 12th 10:00
    expect(addBusinessMinutes(paris, at('2026-11-10T16:00:00Z'), 2 * H)).toEqual(at('2026-11-12T09:00:00Z'));
    // Friday 2026-12-24 … Christmas on Friday 25th, weekend → Monday 28th
    expect(addBusinessMinutes(paris, at('2026-12-24T16:30:00Z'), 1 * H)).toEqual(at('2026-12-28T08:30:00Z'));
  });

  it('starts counting at opening time for a ticket created outside business hours', () => {
    // Saturday 2026-11-28 23:00 + 30 min = Monday 9:30
    expect(addBusinessMinutes(paris, at('2026-11-28T22:00:00Z'), 30)).toEqual(at('2026-11-30T08:30:00Z'));
    // Tuesday 07:00 + 1 h = Tuesday 10:00
    expect(addBusinessMinutes(paris, at('2026-11-24T06:00:00Z'), H)).toEqual(at('2026-11-24T09:00:00Z'));
  });

  it('keeps 9:00–18:00 local across DST changes', () => {
    // Spring forward on Sunday 2026-03-29: Friday 27 (UTC+1) 17:00 + 2 h = Monday 30 (UTC+2) 10:00
    expect(addBusinessMinutes(paris, at('2026-03-27T16:00:00Z'), 2 * H)).toEqual(at('2026-03-30T08:00:00Z'));
    // Fall back on Sunday 2026-10-25: Friday 23 (UTC+2) 17:00 + 2 h = Monday 26 (UTC+1) 10:00
    expect(addBusinessMinutes(paris, at('2026-10-23T15:00:00Z'), 2 * H)).toEqual(at('2026-10-26T09:00:00Z'));
  });

  it('returns the start itself for a zero target inside hours, and handles fractions', () => {
    expect(addBusinessMinutes(paris, at('2026-11-24T09:00:00Z'), 0)).toEqual(at('2026-11-24T09:00:00Z'));
    expect(addBusinessMinutes(paris, at('2026-11-24T09:00:00Z'), 0.5)).toEqual(at('2026-11-24T09:00:30Z'));
  });

  it('spans several weeks (a 5-business-day window is 45 h)', () => {
    // Monday 2026-11-30 10:00 + 45 h → Monday 2026-12-07 10:00
    expect(addBusinessMinutes(paris, at('2026-11-30T09:00:00Z'), 45 * H)).toEqual(at('2026-12-07T09:00:00Z'));
  });
});

describe('businessMinutesBetween', () => {
  it('counts only working time', () => {
    expect(businessMinutesBetween(paris, at('2026-11-27T16:00:00Z'), at('2026-11-30T11:00:00Z'))).toBe(4 * H);
    expect(businessMinutesBetween(paris, at('2026-11-28T08:00:00Z'), at('2026-11-29T20:00:00Z'))).toBe(0);
    expect(businessMinutesBetween(paris, at('2026-11-30T11:00:00Z'), at('2026-11-27T16:00:00Z'))).toBe(0);
  });

  it('is the inverse of addBusinessMinutes', () => {
    const starts = ['2026-03-27T16:12:00Z', '2026-10-23T15:00:00Z', '2026-12-24T07:00:00Z', '2026-05-13T16:59:00Z'];
    for (const s of starts) {
      for (const minutes of [1, 59, 540, 1234, 5000]) {
        const end = addBusinessMinutes(paris, at(s), minutes);
        expect(businessMinutesBetween(paris, at(s), end)).toBeCloseTo(minutes, 6);
      }
    }
  });
});

describe('other calendars', () => {
  const allHours = ALWAYS_OPEN;

  it('a round-the-clock calendar is wall-clock time', () => {
    expect(addBusinessMinutes(allHours, at('2026-11-28T23:30:00Z'), 90)).toEqual(at('2026-11-29T01:00:00Z'));
  });

  it('extra holidays are skipped', () => {
    const cal = { ...allHours, extraHolidays: ['2026-11-29'] };
    expect(addBusinessMinutes(cal, at('2026-11-28T23:30:00Z'), 90)).toEqual(at('2026-11-30T01:00:00Z'));
  });

  it('refuses a calendar without working time', () => {
    expect(() => addBusinessMinutes({ ...allHours, workingDays: [] }, at('2026-11-28T00:00:00Z'), 1)).toThrow(
      /no working time/,
    );
  });
});
