import type { VerifiedIdentity } from '@woop/service-kit';
import { DEMO_PASSWORD } from '../../services/identity/src/seed';
import { launchChromium, PortalRun, SCREENSHOT_DIR, type Visitor } from '../support/browser';
import { originOf, startGateway, type RunningGateway } from '../support/gateway-harness';
import { startIdentity, type RunningIdentity } from '../support/identity-harness';
import { person } from '../support/people';
import { freePort } from '../support/processes';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';

/**
 * The promise on the customer's request page, in Chromium: Claire (French) reads when the first
 * answer is due, then the resolution target once the request is qualified, that the clock is
 * paused while support waits for her, and the resolution target alone once she has answered;
 * Hugo, of her organisation, reads it in English; the agent's page has its clocks instead.
 * Every page is audited with axe-core; screenshots `fr-customer-request-promise.png`,
 * `fr-customer-request-paused.png`, `en-colleague-request-paused.png`, `en-colleague-request-promise.png`.
 */

/** A due time as a person reads it (written out here, not the portal's formatter). */
const inParis = (iso: string, locale: 'fr' | 'en') =>
  new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'Europe/Paris',
  }).format(new Date(iso));

const CLAIRE = person('user-claire', 'customer', { organizationId: 'org-enseigne-demo', name: 'Claire Martin' });
const PAUL = person('user-paul', 'agent', { teams: ['support'], name: 'Paul Durand' });

describe("the promise on the customer's request page (Chromium)", () => {
  let tickets: TicketsApi;
  let identity: RunningIdentity;
  let gateway: RunningGateway;
  let portal: PortalRun;
  let claire: Visitor;
  let hugo: Visitor;
  let reference: string;

  beforeAll(async () => {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    tickets = await startTicketsApi();
    identity = await startIdentity({ PORTAL_URL: origin });
    gateway = await startGateway(
      {
        IDENTITY_URL: originOf(identity.base),
        TICKETS_URL: originOf(tickets.base),
        NOTIFICATIONS_URL: 'http://127.0.0.1:9',
      },
      { port },
    );
    // Other suites' screenshots stay.
    portal = new PortalRun(await launchChromium(), origin, false);
    const filed = await tickets.call(CLAIRE, 'POST', '/tickets', {
      requestType: 'ask-a-question',
      portal: 'retailer',
      summary: 'Quand aurai-je une réponse ?',
    });
    expect(filed.status).toBe(201);
    reference = (filed.body.ticket as { reference: string }).reference;
  }, 180_000);

  afterAll(async () => {
    await portal?.browser.close();
    await gateway?.stop();
    await Promise.all([identity?.stop(), tickets?.stop()]);
  });

  const act = async (who: VerifiedIdentity, action: string, payload: Record<string, unknown> = {}) =>
    expect((await tickets.call(who, 'POST', `/tickets/${reference}/actions/${action}`, { payload })).status).toBe(200);
  /** The due times the workflow holds now (as the agent's API reads the ticket). */
  const dueTimes = async () => {
    const res = await tickets.call(PAUL, 'GET', `/tickets/${reference}`);
    const sla = (res.body.ticket as { sla: Record<'firstResponse' | 'resolution', { breachAt?: string }> }).sla;
    return { firstAnswer: sla.firstResponse.breachAt, resolution: sla.resolution.breachAt };
  };
  const promise = async (v: Visitor) =>
    (await v.page.locator('#promise p').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
  const open = async (v: Visitor) => expect(await v.goto(`/requests/${reference}`)).toBe(200);

  it('tells Claire when the first answer is due, then the resolution target once qualified', async () => {
    claire = await portal.person('customer');
    await claire.logIn('claire@enseigne.example', DEMO_PASSWORD);
    await open(claire);
    const due = await dueTimes();
    expect(await promise(claire)).toEqual([`Première réponse prévue avant le ${inParis(due.firstAnswer!, 'fr')}.`]);
    expect(await claire.page.locator('aside dt', { hasText: 'Délais' }).count()).toBe(1);

    await act(PAUL, 'qualify', {
      priority: 'medium',
      billable: false,
      assignment: { team: 'support', agentId: PAUL.userId },
    });
    await open(claire);
    const qualified = await dueTimes();
    expect(await promise(claire)).toEqual([
      `Première réponse prévue avant le ${inParis(qualified.firstAnswer!, 'fr')}.`,
      `Résolution visée avant le ${inParis(qualified.resolution!, 'fr')}.`,
    ]);
    await claire.check('request-promise');
  }, 120_000);

  it('says the clock is paused while support waits for her, in French and in English', async () => {
    await act(PAUL, 'start');
    await act(PAUL, 'requestInformation', { question: 'Quel est le numéro de commande ?' });
    await open(claire);
    expect(await claire.statusBadge()).toBe('EN ATTENTE CLIENT');
    expect(await promise(claire)).toEqual([
      "En attente de votre réponse : le délai est suspendu jusqu'à votre retour.",
    ]);
    expect(await dueTimes()).toEqual({ firstAnswer: undefined, resolution: undefined });
    await claire.check('request-paused');

    hugo = await portal.person('colleague');
    await hugo.logIn('hugo@enseigne.example', DEMO_PASSWORD);
    expect(await hugo.clickAndLoad(hugo.button('English'))).toBe(200);
    await open(hugo);
    expect(await hugo.lang()).toBe('en');
    expect(await promise(hugo)).toEqual(['Waiting for your reply: the clock is paused until you answer.']);
    await hugo.check('request-paused');
  }, 120_000);

  it('shows the resolution target alone once she has answered (the first answer was given)', async () => {
    await claire.page.locator('#action-provideInformation').fill('Commande CMD-42.');
    expect(await claire.clickAndLoad(claire.button('Donner les informations demandées'))).toBe(200);
    const due = await dueTimes();
    expect(due.firstAnswer).toBeUndefined();
    expect(await promise(claire)).toEqual([`Résolution visée avant le ${inParis(due.resolution!, 'fr')}.`]);
    await open(hugo);
    expect(await promise(hugo)).toEqual([`We aim to resolve your request by ${inParis(due.resolution!, 'en')}.`]);
    await hugo.check('request-promise');
  }, 120_000);

  it("keeps it off the agent's page, which shows the clocks themselves", async () => {
    const agent = await portal.person('agent');
    await agent.logIn('paul@woop.example', DEMO_PASSWORD);
    await open(agent);
    expect(await agent.page.locator('#promise').count()).toBe(0);
    await Promise.all([agent.close(), claire.close(), hugo.close()]);
  }, 120_000);

  it('met no serious or critical accessibility violation and no script error', () => {
    expect(portal.findings).toEqual([]);
    expect([...portal.screenshots].sort()).toEqual([
      'en-colleague-request-paused.png',
      'en-colleague-request-promise.png',
      'fr-customer-request-paused.png',
      'fr-customer-request-promise.png',
    ]);
    process.stdout.write(`promise e2e: screenshots in ${SCREENSHOT_DIR}\n`);
  });
});
