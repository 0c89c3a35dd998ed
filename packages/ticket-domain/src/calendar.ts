/**
 * Business-time arithmetic on a working calendar: a time zone, working days and hours, and
 * public holidays (French ones computed for any year, plus any listed dates). Pure and
 * deterministic (Intl for time-zone offsets, no clock), so workflow code can use it.
 */
import type { BusinessCalendarSpec } from '@woop/contracts/workflow';
/** Working days and hours in a time zone, with holidays (see BusinessCalendarSpec). */
export type BusinessCalendar = BusinessCalendarSpec;

export const PARIS_OFFICE_CALENDAR: BusinessCalendar = {
  timeZone: 'Europe/Paris',
  workingDays: [1, 2, 3, 4, 5],
  openMinute: 9 * 60,
  closeMinute: 18 * 60,
  holidayRules: ['FR'],
  extraHolidays: [],
};

/** Every minute a business minute: a desk open round the clock (`TICKET_CALENDAR=round-the-clock`). */
export const ROUND_THE_CLOCK_CALENDAR: BusinessCalendar = {
  timeZone: 'Europe/Paris',
  workingDays: [1, 2, 3, 4, 5, 6, 7],
  openMinute: 0,
  closeMinute: 24 * 60,
  holidayRules: [],
  extraHolidays: [],
};

const MINUTE = 60_000;
const DAY_MS = 86_400_000;

interface LocalDate {
  year: number;
  month: number; // 1-12
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Offset of the zone from UTC at an instant, in ms (Paris: +1 h in winter, +2 h in summer). */
function zoneOffset(timeZone: string, instant: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day, parts.hour, parts.minute, parts.second);
  return asUtc - (instant - (instant % 1000));
}

function localDateOf(timeZone: string, instant: number): LocalDate {
  const d = new Date(instant + zoneOffset(timeZone, instant));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The instant a local wall-clock time happens (in a DST gap, the instant just after it). */
function instantOf(timeZone: string, date: LocalDate, minuteOfDay: number): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day) + minuteOfDay * MINUTE;
  let instant = wall - zoneOffset(timeZone, wall);
  // A second pass settles instants near a DST change, where the first guess used the other offset.
  instant = wall - zoneOffset(timeZone, instant);
  return instant;
}

function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

const isoWeekday = (date: LocalDate): number => {
  const w = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
  return w === 0 ? 7 : w;
};

const key = (d: LocalDate): string => `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;

/** Easter Sunday of a Gregorian year (anonymous Gregorian algorithm). */
export function easterSunday(year: number): LocalDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return { year, month, day };
}

/** The eleven French public holidays of a year (metropolitan France), as 'YYYY-MM-DD'. */
export function frenchPublicHolidays(year: number): string[] {
  const easter = easterSunday(year);
  const fixed: Array<[number, number]> = [
    [1, 1], // Jour de l'an
    [5, 1], // Fête du Travail
    [5, 8], // Victoire 1945
    [7, 14], // Fête nationale
    [8, 15], // Assomption
    [11, 1], // Toussaint
    [11, 11], // Armistice
    [12, 25], // Noël
  ];
  return [
    ...fixed.map(([month, day]) => key({ year, month, day })),
    key(addDays(easter, 1)), // Lundi de Pâques
    key(addDays(easter, 39)), // Ascension
    key(addDays(easter, 50)), // Lundi de Pentecôte
  ].sort();
}

const holidayCache = new Map<string, Set<string>>();
function isHoliday(cal: BusinessCalendar, date: LocalDate): boolean {
  const k = key(date);
  if (cal.extraHolidays.includes(k)) return true;
  if (!cal.holidayRules.includes('FR')) return false;
  const cacheKey = `FR:${date.year}`;
  let set = holidayCache.get(cacheKey);
  if (!set) {
    set = new Set(frenchPublicHolidays(date.year));
    holidayCache.set(cacheKey, set);
  }
  return set.has(k);
}

export function isWorkingDay(cal: BusinessCalendar, date: LocalDate): boolean {
  return cal.workingDays.includes(isoWeekday(date)) && !isHoliday(cal, date);
}

/** Working window of a local date as instants, or undefined on a day off. */
function windowOf(cal: BusinessCalendar, date: LocalDate): [number, number] | undefined {
  if (!isWorkingDay(cal, date)) return undefined;
  return [instantOf(cal.timeZone, date, cal.openMinute), instantOf(cal.timeZone, date, cal.closeMinute)];
}

function assertUsable(cal: BusinessCalendar): void {
  if (cal.workingDays.length === 0 || cal.closeMinute <= cal.openMinute) {
    throw new Error('business calendar has no working time');
  }
}

/** The instant that lies `minutes` business minutes after `from` (fractions allowed). */
export function addBusinessMinutes(cal: BusinessCalendar, from: Date, minutes: number): Date {
  assertUsable(cal);
  let remaining = Math.max(0, minutes) * MINUTE;
  let cursor = from.getTime();
  let date = localDateOf(cal.timeZone, cursor);
  // Bounded: 20 years of days is far beyond any SLA and stops a calendar without working time.
  for (let i = 0; i < 7_300; i++) {
    const window = windowOf(cal, date);
    if (window) {
      const start = Math.max(cursor, window[0]);
      if (start < window[1]) {
        const available = window[1] - start;
        if (remaining <= available) return new Date(start + remaining);
        remaining -= available;
      }
    }
    date = addDays(date, 1);
    cursor = instantOf(cal.timeZone, date, 0);
  }
  throw new Error('business calendar has no working time within 20 years');
}

/** Business minutes between two instants (0 when `to` is not after `from`). */
export function businessMinutesBetween(cal: BusinessCalendar, from: Date, to: Date): number {
  assertUsable(cal);
  const end = to.getTime();
  let cursor = from.getTime();
  if (end <= cursor) return 0;
  let total = 0;
  let date = localDateOf(cal.timeZone, cursor);
  while (cursor < end) {
    const window = windowOf(cal, date);
    if (window) {
      const start = Math.max(cursor, window[0]);
      const stop = Math.min(end, window[1]);
      if (stop > start) total += stop - start;
    }
    date = addDays(date, 1);
    cursor = instantOf(cal.timeZone, date, 0);
  }
  return total / MINUTE;
}
