import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '@woop/contracts';
import { TicketWorkflows } from '../../services/tickets/src/api/ticket-client';
import { addBusinessMinutes, PARIS_OFFICE_CALENDAR } from '../../packages/ticket-domain/src/calendar';
import { newTicket, testPolicy } from '../../packages/ticket-domain/src/testing/fixtures';
import { uniqueReference } from '../support/ids';
import {
  startInMemoryTicketWorker,
  testDataConverter,
  type InMemoryTicketWorker,
} from '../support/in-memory-ticket-worker';
import { TEMPORAL_TEST_SERVER as LAUNCHER } from '../setup/binaries';

/**
 * Days of business time on the real Paris calendar (weekends, public holidays), with
 * Temporal's time-skipping test server. The side-effect activities are in-memory here: this
 * suite is about when the workflow's timers fire, the dev-server suite covers the real ones.
 */
const HOUR = 60;
const DAY_MS = 86_400_000;

describe('SLA timers across weekends and holidays (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let worker: InMemoryTicketWorker;
  const taskQueue = 'sla-time-skipping';

  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: LAUNCHER } },
      client: { dataConverter: testDataConverter },
    });
    // The in-memory test server knows no custom search attributes until they are added.
    await env.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: Object.fromEntries(
        Object.values(SEARCH_ATTRIBUTES).map((k) => [k.name, k.type === 'BOOL' ? 5 : 2]),
      ),
    });
    worker = await startInMemoryTicketWorker(env, taskQueue);
  });
  afterAll(async () => {
    await worker?.stop();
    await env?.teardown();
  });

  it('breaches the resolution target 5 business days later, skipping weekends and holidays', async () => {
    const tickets = new TicketWorkflows(env.client, taskQueue);
    const now = new Date(await env.currentTimeMs());
    // The next two calendar days are declared holidays, so the window always crosses days off
    // whatever weekday the suite runs on; the 5-day target always crosses a weekend.
    const holidays = [1, 2].map((d) => new Date(now.getTime() + d * DAY_MS).toISOString().slice(0, 10));
    const calendar = { ...PARIS_OFFICE_CALENDAR, extraHolidays: holidays };
    const policy = testPolicy({
      calendar,
      targets: {
        low: { firstResponseMinutes: 8 * HOUR, resolutionMinutes: 45 * HOUR },
        medium: { firstResponseMinutes: 4 * HOUR, resolutionMinutes: 45 * HOUR },
        high: { firstResponseMinutes: 1 * HOUR, resolutionMinutes: 45 * HOUR },
        critical: { firstResponseMinutes: 0.25 * HOUR, resolutionMinutes: 45 * HOUR },
      },
    });
    const reference = uniqueReference();
    await tickets.open(newTicket({ reference, slaPolicy: policy }));
    await tickets.act(reference, 'reply', {
      actor: { id: 'a-paul', role: 'agent', name: 'Paul' },
      payload: { body: 'Bien reçu, nous regardons.' },
    });
    const created = new Date((await tickets.view(reference)).ticket.createdAt);
    const warnAt = addBusinessMinutes(calendar, created, 0.75 * 45 * HOUR);
    const breachAt = addBusinessMinutes(calendar, created, 45 * HOUR);
    // 45 business hours with two holidays and a weekend in between: at least 8 calendar days.
    expect(breachAt.getTime() - created.getTime()).toBeGreaterThanOrEqual(8 * DAY_MS - 9 * 3_600_000);

    const sleepUntil = async (t: Date) => env.sleep(t.getTime() - (await env.currentTimeMs()));
    // A timer fires at its instant; the workflow task that handles it runs a few ms later.
    const firedAt = (iso: string | undefined, expected: Date) => {
      expect(iso).toBeDefined();
      expect(Date.parse(iso!) - expected.getTime()).toBeGreaterThanOrEqual(0);
      expect(Date.parse(iso!) - expected.getTime()).toBeLessThan(1_000);
    };

    await sleepUntil(new Date(warnAt.getTime() - 60_000));
    let view = await tickets.view(reference);
    expect(view.ticket.sla.resolution.warnedAt).toBeUndefined();

    await sleepUntil(new Date(warnAt.getTime() + 60_000));
    view = await tickets.view(reference);
    firedAt(view.ticket.sla.resolution.warnedAt, warnAt);
    expect(view.ticket.sla.resolution.breachedAt).toBeUndefined();

    await sleepUntil(new Date(breachAt.getTime() + 60_000));
    view = await tickets.view(reference);
    firedAt(view.ticket.sla.resolution.breachedAt, breachAt);
    expect(view.ticket).toMatchObject({ escalated: true, priority: 'high', escalationTeams: ['support-leads'] });
    // First response was met by the reply, so it never breached.
    expect(view.ticket.sla.firstResponse.breachedAt).toBeUndefined();
    const types = worker.events.filter((e) => e.subject === reference).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['ticket.sla_warning', 'ticket.sla_breached']));
  });

  it('moves the deadline by the time spent waiting for the customer', async () => {
    const tickets = new TicketWorkflows(env.client, taskQueue);
    const calendar = PARIS_OFFICE_CALENDAR;
    const policy = testPolicy({ calendar });
    const reference = uniqueReference();
    await tickets.open(newTicket({ reference, slaPolicy: policy })); // medium: 240 / 2400 min
    const agent = { id: 'a-paul', role: 'agent' as const, name: 'Paul' };
    const asked = await tickets.act(reference, 'requestInformation', {
      actor: agent,
      payload: { question: 'Numéro ?' },
    });
    expect(asked.ticket.sla.resolution.breachAt).toBeUndefined();
    await env.sleep(10 * DAY_MS); // the customer takes ten days to answer; the clock stays paused
    const back = await tickets.act(reference, 'provideInformation', {
      actor: { id: 'u-claire', role: 'customer', name: 'Claire' },
      payload: { body: 'CMD-42' },
    });
    const resumed = new Date(back.ticket.updatedAt);
    const consumed = back.ticket.sla.resolution.consumedMinutes;
    expect(back.ticket.sla.resolution.breachAt).toBe(
      addBusinessMinutes(calendar, resumed, 2400 - consumed).toISOString(),
    );
    const before = new Date(asked.ticket.createdAt);
    const unpaused = addBusinessMinutes(calendar, before, 2400);
    const breachAt = new Date(back.ticket.sla.resolution.breachAt!);
    expect(breachAt.getTime() - unpaused.getTime()).toBeGreaterThan(5 * DAY_MS);

    await env.sleep(breachAt.getTime() - (await env.currentTimeMs()) - 60_000);
    expect((await tickets.view(reference)).ticket.sla.resolution.breachedAt).toBeUndefined();
    await env.sleep(120_000);
    const breached = (await tickets.view(reference)).ticket.sla.resolution.breachedAt;
    expect(Date.parse(breached!) - breachAt.getTime()).toBeLessThan(1_000);
  });
});
