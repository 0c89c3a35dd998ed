import { randomBytes } from 'node:crypto';
import { PARIS_OFFICE_CALENDAR, ROUND_THE_CLOCK_CALENDAR } from '@woop/ticket-domain';
import { temporalPayloadCodec } from '@woop/service-kit';
import { defaultCachedWorkflows, loadTicketsConfig, slaPolicyOf, ticketWindows } from './config';

describe('tickets configuration', () => {
  it('encrypts Temporal payloads with the keys it is given, never the development key in production', () => {
    const production = {
      NODE_ENV: 'production',
      INTERNAL_AUTH_SECRET: randomBytes(32).toString('hex'),
      MAIL_REPLY_KEY: randomBytes(32).toString('base64'),
    };
    expect(() => loadTicketsConfig(production)).toThrow(/TEMPORAL_PAYLOAD_KEYS: must be set in production/);
    const key = Buffer.alloc(32, 7).toString('base64');
    const config = loadTicketsConfig({
      ...production,
      TEMPORAL_PAYLOAD_KEYS: `2026-12:${key}`,
      TEMPORAL_PAYLOAD_KEY_ID: '',
    });
    expect(temporalPayloadCodec(config).currentKeyId).toBe('2026-12');
  });

  it('defaults to 5 business days to validate, a reminder 1 day before, 10 days to reopen', () => {
    expect(ticketWindows(loadTicketsConfig({}), PARIS_OFFICE_CALENDAR)).toEqual({
      validationMinutes: 2700,
      validationReminderMinutes: 540,
      reopenMinutes: 5400,
    });
  });

  it('caches 1,500 ticket workflows, fewer when the heap is small, or what it is told', () => {
    const gib = 2 ** 30;
    expect(defaultCachedWorkflows(4 * gib)).toBe(1_500);
    expect(defaultCachedWorkflows(1 * gib)).toBe(512);
    expect(defaultCachedWorkflows(0.5 * gib)).toBe(100);
    expect(loadTicketsConfig({}).TICKETS_WORKER_CACHED_WORKFLOWS).toBe(defaultCachedWorkflows());
    expect(loadTicketsConfig({ TICKETS_WORKER_CACHED_WORKFLOWS: '0' }).TICKETS_WORKER_CACHED_WORKFLOWS).toBe(0);
  });

  it('takes the windows from the environment', () => {
    const config = loadTicketsConfig({ TICKET_VALIDATION_WINDOW_DAYS: '3', TICKET_REOPEN_WINDOW_DAYS: '2' });
    expect(ticketWindows(config, PARIS_OFFICE_CALENDAR)).toMatchObject({
      validationMinutes: 1620,
      reopenMinutes: 1080,
    });
  });

  it("runs new tickets' clocks on the office's hours, or round the clock when told", () => {
    expect(slaPolicyOf(loadTicketsConfig({}), 'standard').calendar).toEqual(PARIS_OFFICE_CALENDAR);
    const always = loadTicketsConfig({ TICKET_CALENDAR: 'round-the-clock' });
    expect(slaPolicyOf(always, 'standard').calendar).toEqual(ROUND_THE_CLOCK_CALENDAR);
    // A day is then 24 hours: a window of 0.001 day is under a minute and a half.
    const short = loadTicketsConfig({ TICKET_CALENDAR: 'round-the-clock', TICKET_VALIDATION_WINDOW_DAYS: '0.001' });
    expect(ticketWindows(short, ROUND_THE_CLOCK_CALENDAR).validationMinutes).toBeCloseTo(1.44);
    expect(() => loadTicketsConfig({ TICKET_CALENDAR: 'weekends' })).toThrow(/TICKET_CALENDAR/);
  });

  it('refuses a negative window', () => {
    expect(() => loadTicketsConfig({ TICKET_REOPEN_WINDOW_DAYS: '-1' })).toThrow(/TICKET_REOPEN_WINDOW_DAYS/);
  });
});
