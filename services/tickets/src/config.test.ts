import { PARIS_OFFICE_CALENDAR } from '@woop/workflows';
import { loadTicketsConfig, ticketWindows } from './config';

describe('tickets configuration', () => {
  it('defaults to 5 business days to validate, a reminder 1 day before, 10 days to reopen', () => {
    expect(ticketWindows(loadTicketsConfig({}), PARIS_OFFICE_CALENDAR)).toEqual({
      validationMinutes: 2700,
      validationReminderMinutes: 540,
      reopenMinutes: 5400,
    });
  });

  it('takes the windows from the environment', () => {
    const config = loadTicketsConfig({ TICKET_VALIDATION_WINDOW_DAYS: '3', TICKET_REOPEN_WINDOW_DAYS: '2' });
    expect(ticketWindows(config, PARIS_OFFICE_CALENDAR)).toMatchObject({
      validationMinutes: 1620,
      reopenMinutes: 1080,
    });
  });

  it('refuses a negative window', () => {
    expect(() => loadTicketsConfig({ TICKET_REOPEN_WINDOW_DAYS: '-1' })).toThrow(/TICKET_REOPEN_WINDOW_DAYS/);
  });
});
