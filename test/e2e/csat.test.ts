import { DEMO_PASSWORD } from '../../services/identity/src/seed';
import { ApiClient } from '../support/api-client';
import { launchChromium, PortalRun, type Visitor } from '../support/browser';
import { eventually } from '../support/eventually';
import { originOf, startGateway, type RunningGateway } from '../support/gateway-harness';
import { startIdentity, type RunningIdentity } from '../support/identity-harness';
import { linksIn, waitForEmail, type CaughtEmail } from '../support/mailcatcher';
import { startNotifications } from '../support/notifications-harness';
import { freePort } from '../support/processes';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';

/**
 * Satisfaction (CSAT) in a browser, issue 21: the requester of a request that became TERMINÉ
 * opens the score's link of the email MailDev caught, without logging in, adds a comment and
 * sends; the link's second use says the rating is recorded; the agent's view and the reports
 * show it; a requester logged in rates from the request page. Claire reads French, Hugo switched
 * his account to English. Every page is checked with axe-core and saved as a screenshot
 * (.data/screenshots/<lang>-csat-*.png).
 */
const CLAIRE = 'claire@enseigne.example';
const HUGO = 'hugo@enseigne.example';

describe('satisfaction from the email link (Chromium)', () => {
  let identity: RunningIdentity;
  let tickets: TicketsApi;
  let notifications: Awaited<ReturnType<typeof startNotifications>>;
  let gateway: RunningGateway;
  let run: PortalRun;
  const refs: Record<'claire' | 'hugo' | 'page', string> = { claire: '', hugo: '', page: '' };
  const links: Record<'claire' | 'hugo', string[]> = { claire: [], hugo: [] };

  beforeAll(async () => {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    tickets = await startTicketsApi();
    [identity, notifications] = await Promise.all([
      startIdentity({ PORTAL_URL: origin }),
      startNotifications({ PORTAL_URL: origin }),
    ]);
    gateway = await startGateway(
      {
        IDENTITY_URL: originOf(identity.base),
        TICKETS_URL: originOf(tickets.base),
        NOTIFICATIONS_URL: originOf(notifications.base),
        UPSTREAM_TIMEOUT_MS: '30000',
      },
      { port },
    );
    const client = await ApiClient.connect(gateway.origin);
    const login = async (email: string) => {
      const c = client.fresh();
      c.csrfToken = (
        await c.post<{ csrfToken: string }>('/auth/login', { email, password: DEMO_PASSWORD })
      ).body.csrfToken;
      return c;
    };
    const [claire, hugo, paul] = [await login(CLAIRE), await login(HUGO), await login('paul@woop.example')];
    expect((await hugo.patch('/users/user-hugo', { locale: 'en' })).status).toBe(200);
    await eventually(
      () =>
        notifications.service.models.Recipient.find({ _id: { $in: ['user-claire', 'user-hugo', 'user-paul'] } }).lean(),
      (rows) => rows.length === 3 && rows.some((r) => r._id === 'user-hugo' && r.locale === 'en'),
      120_000,
    );

    /** A request of `who`, answered by Paul and accepted: TERMINÉ. */
    const doneRequest = async (who: ApiClient, summary: string) => {
      const created = await who.post<{ ticket: { reference: string } }>('/tickets', {
        requestType: 'ask-a-question',
        portal: 'retailer',
        summary,
        description: 'Commande CMD-42',
      });
      expect(created.status).toBe(201);
      const reference = created.body.ticket.reference;
      const act = async (c: ApiClient, action: string, payload: Record<string, unknown> = {}) =>
        expect([action, (await c.post(`/tickets/${reference}/actions/${action}`, { payload })).status]).toEqual([
          action,
          200,
        ]);
      await act(paul, 'qualify', { priority: 'medium', billable: false, assignment: { agentId: 'user-paul' } });
      await act(paul, 'start');
      await act(paul, 'resolve', { answer: 'Livrée ce matin au quai 3.' });
      await act(who, 'acceptResolution');
      return reference;
    };
    refs.claire = await doneRequest(claire, 'Où est ma livraison ?');
    refs.hugo = await doneRequest(hugo, 'Labels unreadable');
    refs.page = await doneRequest(claire, 'Facture introuvable');
    const scoreLinks = (e: CaughtEmail) => linksIn(e).filter((l) => new URL(l).pathname === '/csat');
    const csatEmail = (address: string, reference: string) =>
      waitForEmail(
        (e) =>
          e.to.some((t) => t.address === address) && e.subject.startsWith(`[${reference}]`) && scoreLinks(e).length > 0,
        60_000,
      );
    links.claire = scoreLinks(await csatEmail(CLAIRE, refs.claire));
    links.hugo = scoreLinks(await csatEmail(HUGO, refs.hugo));
    run = new PortalRun(await launchChromium(), gateway.origin, false);
  }, 240_000);
  afterAll(async () => {
    await run?.browser.close();
    await gateway?.stop();
    await Promise.all([identity?.stop(), tickets?.stop(), notifications?.stop()]);
  }, 120_000);

  /** Opens an email's link, as a click in a mail client does: the portal's page, then what it redirects to. */
  const open = async (v: Visitor, link: string) => v.goto(new URL(link).pathname + new URL(link).search);
  const text = async (v: Visitor, selector: string) => ((await v.page.locator(selector).textContent()) ?? '').trim();

  it("takes Claire's rating from the French email, once, without a login", async () => {
    const visitor = await run.person('csat-visitor', { locale: 'en-GB' });
    try {
      // The email's language wins over the browser's for a visitor the portal does not know.
      expect(await open(visitor, links.claire[3]!)).toBe(200);
      expect(await visitor.lang()).toBe('fr');
      expect(await visitor.heading()).toBe('Êtes-vous satisfait de la réponse ?');
      expect(await visitor.page.locator('#csat-score-4').isChecked()).toBe(true);
      await visitor.check('csat-link');
      await visitor.page.locator('#csat-comment').fill('Rapide et clair, merci');
      expect(await visitor.clickAndLoad(visitor.button('Envoyer mon avis'))).toBe(200);
      expect(await text(visitor, '#csat-thanks')).toBe('Merci ! Votre note (4 sur 5) est enregistrée.');
      await visitor.check('csat-thanks');
      // The link again (another score of the same email): recorded already, said on a page.
      expect(await open(visitor, links.claire[0]!)).toBe(200);
      expect(await text(visitor, '#csat-refused')).toBe('Votre note est déjà enregistrée pour cette réponse : merci !');
      await visitor.check('csat-already-rated');
    } finally {
      await visitor.close();
    }
    expect(run.findings).toEqual([]);
  }, 120_000);

  it("takes Hugo's rating from the English email, once", async () => {
    const visitor = await run.person('csat-visitor', { locale: 'fr-FR' });
    try {
      expect(await open(visitor, links.hugo[1]!)).toBe(200);
      expect(await visitor.lang()).toBe('en');
      expect(await visitor.heading()).toBe('Are you satisfied with the answer?');
      await visitor.check('csat-link');
      // Sent without the comment, the score the link chose.
      expect(await visitor.clickAndLoad(visitor.button('Send my opinion'))).toBe(200);
      expect(await text(visitor, '#csat-thanks')).toBe('Thank you! Your score (2 out of 5) is recorded.');
      await visitor.check('csat-thanks');
      expect(await open(visitor, links.hugo[4]!)).toBe(200);
      expect(await text(visitor, '#csat-refused')).toBe('Your score is already recorded for this answer: thank you!');
      await visitor.check('csat-already-rated');
    } finally {
      await visitor.close();
    }
    expect(run.findings).toEqual([]);
  }, 120_000);

  it('asks on the request page while unrated, and shows the rating to the agent and in the reports', async () => {
    const claire = await run.person('csat-customer');
    try {
      await claire.logIn(CLAIRE, DEMO_PASSWORD);
      expect(await claire.goto(`/requests/${refs.page}`)).toBe(200);
      expect(await text(claire, '#csat-form legend')).toContain('Êtes-vous satisfait de la réponse ?');
      await claire.check('csat-prompt');
      await claire.page.locator('label[for="csat-score-5"]').click();
      expect(await claire.clickAndLoad(claire.button('Envoyer mon avis'))).toBe(200);
      expect(await claire.notices()).toContain('Merci ! Votre avis est enregistré.');
      expect(await claire.page.locator('#csat-form').count()).toBe(0);
      expect(await text(claire, '.csat-rating')).toBe('5 sur 5');
    } finally {
      await claire.close();
    }
    const paul = await run.person('csat-agent', { locale: 'en-GB' });
    try {
      await paul.logIn('paul@woop.example', DEMO_PASSWORD);
      expect(await paul.goto(`/requests/${refs.claire}`)).toBe(200);
      expect(await text(paul, '.csat-rating')).toBe('4 sur 5 — Rapide et clair, merci');
      await paul.check('csat-agent-view');
    } finally {
      await paul.close();
    }
    const admin = await run.person('csat-admin', { locale: 'en-GB' });
    try {
      await admin.logIn('admin@woop.example', DEMO_PASSWORD);
      expect(await admin.goto('/agent/reports')).toBe(200);
      expect(await admin.page.locator('#satisfaction-none').count()).toBe(0);
      expect(await admin.page.locator('#chart-satisfaction svg').count()).toBe(1);
      await admin.check('csat-reports');
    } finally {
      await admin.close();
    }
    expect(run.findings).toEqual([]);
  }, 120_000);
});
