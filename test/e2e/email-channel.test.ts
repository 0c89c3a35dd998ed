import { DEMO_PASSWORD } from '../../services/identity/src/seed';
import { createLogger } from '@woop/service-kit';
import { loadInboundConfig } from '../../services/inbound/src/config';
import { inboundService } from '../../services/inbound/src/service';
import { ApiClient } from '../support/api-client';
import { launchChromium, PortalRun } from '../support/browser';
import { eventually } from '../support/eventually';
import { originOf, startGateway, type RunningGateway } from '../support/gateway-harness';
import { startIdentity, type RunningIdentity } from '../support/identity-harness';
import { uniqueId } from '../support/ids';
import { composeMail, testMailbox, type TestMailbox } from '../support/imap-harness';
import { sentHeader, waitForEmail } from '../support/mailcatcher';
import { startNotifications } from '../support/notifications-harness';
import { freePort } from '../support/processes';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';

/**
 * Issue 20 in a browser: Claire answers the "demande reçue" email from her mail client (the
 * answer appended to the support mailbox on Dovecot), and the answer shows on her request page
 * and on Paul's agent view, marked as come by email ("by email" in English: gateway/emailed-comments). Every page is
 * checked with axe-core and saved as a screenshot (.data/screenshots/*-email-*.png).
 */
const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');
const CLAIRE = 'claire@enseigne.example';
const PAUL = 'paul@woop.example';

describe('an emailed reply on the request pages (Chromium)', () => {
  let identity: RunningIdentity;
  let tickets: TicketsApi;
  let notifications: Awaited<ReturnType<typeof startNotifications>>;
  let gateway: RunningGateway;
  let mailbox: TestMailbox;
  let inbound: ReturnType<typeof inboundService>;
  let run: PortalRun;
  let reference: string;
  const words = `Le numéro de commande est ${uniqueId('CMD')}.`;

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
    // Notifications emails people it knows: it reads the users topic from its start (every run's
    // users before the demo accounts' on a busy topic) before Claire's request may be emailed.
    await eventually(
      () => notifications.service.models.Recipient.countDocuments({ _id: { $in: ['user-claire', 'user-paul'] } }),
      (c) => c === 2,
      120_000,
    );
    mailbox = await testMailbox();
    inbound = inboundService(loadInboundConfig(process.env), logger, mailbox.settings);
    run = new PortalRun(await launchChromium(), gateway.origin, false);

    // Claire files a request; the "demande reçue" email is what she answers.
    const claire = (await ApiClient.connect(gateway.origin)).fresh();
    const login = await claire.post<{ csrfToken: string }>('/auth/login', { email: CLAIRE, password: DEMO_PASSWORD });
    claire.csrfToken = login.body.csrfToken;
    const created = await claire.post<{ ticket: { reference: string } }>('/tickets', {
      requestType: 'ask-a-question',
      portal: 'retailer',
      summary: 'Facture de novembre introuvable',
      description: 'Je ne trouve pas la facture de novembre.',
    });
    expect(created.status).toBe(201);
    reference = created.body.ticket.reference;
    const received = await waitForEmail(
      (e) => e.to.some((t) => t.address === CLAIRE) && e.subject.includes(reference),
      60_000,
    );
    const messageId = await sentHeader(received, 'Message-ID');
    await mailbox.appendMail(
      await composeMail({
        from: `Claire Martin <${CLAIRE}>`,
        to: await sentHeader(received, 'Reply-To'),
        subject: `Re: ${received.subject}`,
        inReplyTo: messageId,
        references: messageId,
        text: `${words}\n\n-- \nClaire Martin\nEnseigne Démo, 01 23 45 67 89\n\nLe lun. 7 déc. 2026 à 10:02, Support Woop a écrit :\n> ${received.text?.split('\n').join('\n> ')}\n`,
      }),
    );
    await eventually(
      async () => (await claire.get<{ ticket: { activity: Array<{ body?: string }> } }>(`/tickets/${reference}`)).body,
      (body) => body.ticket.activity.some((e) => e.body?.startsWith(words) === true),
      60_000,
    );
  }, 240_000);
  afterAll(async () => {
    await run?.browser.close();
    for (const c of inbound?.parts.closeables ?? []) await c.close();
    await mailbox?.close();
    await gateway?.stop();
    await Promise.all([identity?.stop(), tickets?.stop(), notifications?.stop()]);
  }, 120_000);

  /** The entry of the emailed answer on `email`'s view of the request, in `locale`. */
  async function emailedEntry(email: string, role: string, locale: 'fr-FR' | 'en-GB') {
    const visitor = await run.person(`email-${role}`, { locale });
    try {
      await visitor.logIn(email, DEMO_PASSWORD);
      expect(await visitor.goto(`/requests/${reference}`)).toBe(200);
      const entry = visitor.page.locator('li', { hasText: words }).last();
      await entry.waitFor();
      await visitor.check('emailed-reply');
      return (await entry.innerText()).replace(/\s+/g, ' ');
    } finally {
      await visitor.close();
    }
  }

  it("shows the customer her emailed answer, without her signature and the quoted email, marked 'par e-mail'", async () => {
    const text = await emailedEntry(CLAIRE, 'customer', 'fr-FR');
    expect(text).toContain(words);
    expect(text).toContain('par e-mail');
    expect(text).not.toContain('a écrit');
    expect(text).not.toContain('01 23 45 67 89');
    expect(text).not.toContain('Répondez au-dessus');
    expect(run.findings).toEqual([]);
  }, 120_000);

  it("shows it on the agent's view too, in the agent's language whatever the browser's", async () => {
    const text = await emailedEntry(PAUL, 'agent', 'en-GB');
    expect(text).toContain(words);
    expect(text).toContain('par e-mail'); // Paul's account is in French
    expect(run.findings).toEqual([]);
  }, 120_000);
});
