import { REQUEST_TYPES } from '@woop/contracts';
import { createLogger, type VerifiedIdentity } from '@woop/service-kit';
import { DEMO_PASSWORD, seed } from '../../services/identity/src/seed';
import { launchChromium, PortalRun, SCREENSHOT_DIR, type Visitor as Tab } from '../support/browser';
import { validFields } from '../support/forms';
import { originOf, startGateway, type RunningGateway } from '../support/gateway-harness';
import { startIdentity, type RunningIdentity } from '../support/identity-harness';
import { person } from '../support/people';
import { freePort } from '../support/processes';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';

/**
 * Canned answers in Chromium: Léna, who leads the support team, writes one (an unknown
 * placeholder first, refused in a sentence); Paul, a support agent, inserts it into his reply on
 * Emma's request, in English since Emma's account is in English, with the placeholders filled
 * (with the page's script, and without: `?canned=`), and sends it; Emma reads the filled text.
 * Paul, who leads nothing, is told the page is not his. Every page is audited with axe-core;
 * screenshots `fr-lead-canned-answers.png`, `fr-lead-canned-answer-form.png`,
 * `en-lead-canned-answers.png` and `fr-agent-canned-insert.png`.
 */
const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');
const LENA = 'lena.lead@woop.example';
const EMMA = 'emma@enseigne.example';
const TEXT_FR = 'Bonjour {{customerName}}, votre demande {{reference}} ({{type}}) est entre nos mains. {{agentName}}';
const TEXT_EN = 'Hello {{customerName}}, your request {{reference}} ({{type}}) is in our hands. {{agentName}}';

describe('canned answers in a browser (Chromium)', () => {
  let tickets: TicketsApi;
  let identity: RunningIdentity;
  let gateway: RunningGateway;
  let portal: PortalRun;
  let lena: Tab;
  let paul: Tab;
  let reference: string;
  let filled: string;

  beforeAll(async () => {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    tickets = await startTicketsApi();
    identity = await startIdentity({ PORTAL_URL: origin });
    await seed(identity.svc.models, logger, [
      {
        _id: 'user-lena',
        email: LENA,
        fullName: 'Léna Lead',
        role: 'agent',
        orgAdmin: false,
        teams: ['support-leads'],
      },
      {
        _id: 'user-emma',
        email: EMMA,
        fullName: 'Emma Walker',
        role: 'customer',
        organizationId: 'org-enseigne-demo',
        orgAdmin: false,
        teams: [],
      },
    ]);
    // Emma reads the portal in English: her requests' language.
    await identity.svc.models.User.updateOne({ _id: 'user-emma' }, { $set: { locale: 'en' } });
    gateway = await startGateway(
      {
        IDENTITY_URL: originOf(identity.base),
        TICKETS_URL: originOf(tickets.base),
        NOTIFICATIONS_URL: 'http://127.0.0.1:9',
      },
      { port },
    );
    portal = new PortalRun(await launchChromium(), origin, false);

    // Emma's request, taken by the support team and being worked on (a reply is possible).
    const emma = person('user-emma', 'customer', { organizationId: 'org-enseigne-demo', name: 'Emma Walker' });
    const agent: VerifiedIdentity = person('user-paul', 'agent', { teams: ['support'], name: 'Paul Agent' });
    const type = REQUEST_TYPES.find((t) => t.key === 'ask-a-question')!;
    const created = await tickets.call(emma, 'POST', '/tickets', {
      requestType: type.key,
      portal: 'retailer',
      summary: 'Where is my November invoice?',
      fields: validFields(type),
    });
    expect(created.status).toBe(201);
    reference = (created.body.ticket as { reference: string }).reference;
    for (const [action, payload] of [
      ['qualify', { priority: 'medium', billable: false, assignment: { team: 'support' } }],
      ['start', {}],
    ] as const) {
      const res = await tickets.call(agent, 'POST', `/tickets/${reference}/actions/${action}`, { payload });
      expect(res.status).toBe(200);
    }
    filled = `Hello Emma Walker, your request ${reference} (${type.label.en}) is in our hands. Paul Agent`;
  }, 180_000);

  afterAll(async () => {
    await portal?.browser.close();
    await gateway?.stop();
    await Promise.all([identity?.stop(), tickets?.stop()]);
  });

  it('lets a team lead write a canned answer, refusing an unknown placeholder in a sentence', async () => {
    lena = await portal.person('lead');
    await lena.logIn(LENA, DEMO_PASSWORD);
    expect(await lena.clickAndLoad(lena.link('Réponses types'))).toBe(200);
    expect(await lena.heading()).toBe('Réponses types');
    expect(await lena.clickAndLoad(lena.link('Nouvelle réponse type'))).toBe(200);
    // The only team she leads is chosen already.
    expect(await lena.page.locator('#canned-team').inputValue()).toBe('support');
    await lena.page.locator('#canned-titleFr').fill('Prise en charge');
    await lena.page.locator('#canned-titleEn').fill('Taken in hand');
    await lena.page.locator('#canned-bodyFr').fill('Bonjour {{client}}');
    await lena.page.locator('#canned-bodyEn').fill(TEXT_EN);
    expect(await lena.clickAndLoad(lena.button('Enregistrer'))).toBe(400);
    expect(await lena.page.locator('#canned-bodyFr-error').textContent()).toBe(
      'Champ inconnu : {{client}}. Les champs possibles sont {{customerName}}, {{reference}}, {{type}}, {{agentName}}.',
    );
    // What she typed is kept.
    expect(await lena.page.locator('#canned-bodyEn').inputValue()).toBe(TEXT_EN);
    await lena.check('canned-answer-form');
    await lena.page.locator('#canned-bodyFr').fill(TEXT_FR);
    expect(await lena.clickAndLoad(lena.button('Enregistrer'))).toBe(200);
    expect(new URL(lena.page.url()).pathname).toBe('/agent/canned-answers');
    expect(await lena.notices()).toEqual(['La réponse type « Prise en charge » a été ajoutée.']);
    expect(await lena.page.locator('#canned-table-support tbody th a').allTextContents()).toEqual(['Prise en charge']);
    await lena.check('canned-answers');
  }, 120_000);

  it('reads in English', async () => {
    expect(await lena.clickAndLoad(lena.button('English'))).toBe(200);
    expect(await lena.goto('/agent/canned-answers')).toBe(200);
    expect(await lena.heading()).toBe('Canned answers');
    expect(await lena.page.locator('#canned-table-support tbody th a').allTextContents()).toEqual(['Taken in hand']);
    await lena.check('canned-answers');
  });

  it('lets an agent insert it into a reply, in the requester’s language, filled, and send it', async () => {
    paul = await portal.person('agent');
    await paul.logIn('paul@woop.example', DEMO_PASSWORD);
    expect(await paul.goto(`/requests/${reference}`)).toBe(200);
    expect(await paul.page.locator('#canned-select-hint').textContent()).toContain('anglais');
    await paul.page.locator('#canned-select').selectOption({ label: 'Prise en charge' });
    // With the page's script: no reload, the text at once.
    const url = paul.page.url();
    await paul.button('Insérer dans la réponse').click();
    expect(await paul.page.locator('#comment-body').inputValue()).toBe(filled);
    expect(await paul.page.locator('#canned-status').textContent()).toBe('Réponse type insérée dans la réponse.');
    expect(paul.page.url()).toBe(url);
    await paul.check('canned-insert');
    // Without it, the same form is a GET that gives the page back with the reply filled.
    const action = await paul.page.locator('#canned-form').getAttribute('action');
    const id = await paul.page.locator('#canned-select').inputValue();
    expect(await paul.goto(`${action!.replace(/#.*/, '')}?canned=${id}`)).toBe(200);
    expect(await paul.page.locator('#comment-body').inputValue()).toBe(filled);
    expect(await paul.clickAndLoad(paul.button('Ajouter'))).toBe(200);
    expect(await paul.page.locator('ol.activity li', { hasText: filled }).count()).toBe(1);
  }, 120_000);

  it('shows the customer the filled text', async () => {
    const emma = await portal.person('customer', { locale: 'en-GB' });
    await emma.logIn(EMMA, DEMO_PASSWORD);
    expect(await emma.goto(`/requests/${reference}`)).toBe(200);
    expect(await emma.lang()).toBe('en');
    const entry = emma.page.locator('ol.activity li', { hasText: 'your request' });
    expect((await entry.locator('.body').textContent())?.trim()).toBe(filled);
    await emma.close();
  });

  it('works without JavaScript: the insert button reloads the page with the reply filled', async () => {
    const context = await portal.browser.newContext({
      baseURL: portal.origin,
      javaScriptEnabled: false,
      locale: 'fr-FR',
    });
    const page = await context.newPage();
    await page.goto('/login');
    await page.locator('#email').fill('paul@woop.example');
    await Promise.all([page.waitForURL(/login/), page.getByRole('button', { name: 'Suivant' }).click()]);
    await page.locator('#password').fill(DEMO_PASSWORD);
    await Promise.all([
      page.waitForURL((u) => u.pathname !== '/login'),
      page.getByRole('button', { name: 'Se connecter' }).click(),
    ]);
    await page.goto(`/requests/${reference}`);
    await page.locator('#canned-select').selectOption({ label: 'Prise en charge' });
    await Promise.all([
      page.waitForURL(/canned=/),
      page.getByRole('button', { name: 'Insérer dans la réponse' }).click(),
    ]);
    expect(new URL(page.url()).hash).toBe('#comment-body');
    expect(await page.locator('#comment-body').inputValue()).toBe(filled);
    await context.close();
  }, 60_000);

  it('is not the page of an agent who leads no team: a sentence says whose it is', async () => {
    expect(await paul.page.locator('header a[href="/agent/canned-answers"]').count()).toBe(0);
    expect(await paul.goto('/agent/canned-answers')).toBe(403);
    expect(await paul.page.locator('main p').first().textContent()).toContain(
      "Les réponses types sont gérées par les administrateurs et les responsables d'équipe",
    );
    const refused = await paul.page.request.get('/api/v1/canned-answers');
    expect(refused.status()).toBe(200);
    await Promise.all([paul.close(), lena.close()]);
  });

  it('met no serious or critical accessibility violation and no script error', () => {
    expect(portal.findings).toEqual([]);
    expect([...portal.screenshots].sort()).toEqual([
      'en-lead-canned-answers.png',
      'fr-agent-canned-insert.png',
      'fr-lead-canned-answer-form.png',
      'fr-lead-canned-answers.png',
    ]);
    process.stdout.write(`canned answers e2e: screenshots in ${SCREENSHOT_DIR}\n`);
  });
});
