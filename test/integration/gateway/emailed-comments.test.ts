import { createHash, randomUUID } from 'node:crypto';
import { makeEvent, mailEventId, MAIL_RECEIVED, REQUEST_TYPES, TOPICS, type MailReceived } from '@woop/contracts';
import { createEventPublisher, createKafka, createLogger, replyUserTag, type EventPublisher } from '@woop/service-kit';
import { DEMO_PASSWORD } from '../../../services/identity/src/seed';
import { ApiClient } from '../../support/api-client';
import { eventually } from '../../support/eventually';
import { validFields } from '../../support/forms';
import { originOf, startGateway, type RunningGateway } from '../../support/gateway-harness';
import { startIdentity, type RunningIdentity } from '../../support/identity-harness';
import { startNotifications } from '../../support/notifications-harness';
import { person } from '../../support/people';
import { startTicketsApi, type TicketsApi } from '../../support/tickets-api-harness';

interface TicketView {
  ticket: {
    reference: string;
    requester: { id: string };
    activity: Array<{ body?: string; data?: Record<string, unknown> }>;
  };
}

const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');

/**
 * What people see of the email channel: on the request page, the customer's and the agent's,
 * an entry that came by email says so ("par e-mail" / "by email"); one a client sent through the
 * API claiming to be emailed does not.
 */
describe('gateway: entries that came by email', () => {
  let identity: RunningIdentity;
  let tickets: TicketsApi;
  let notifications: Awaited<ReturnType<typeof startNotifications>>;
  let gateway: RunningGateway;
  let publisher: EventPublisher;
  let claire: ApiClient;
  let paul: ApiClient;

  beforeAll(async () => {
    tickets = await startTicketsApi();
    [identity, notifications] = await Promise.all([startIdentity(), startNotifications({ CONSUME: 'false' })]);
    gateway = await startGateway({
      IDENTITY_URL: originOf(identity.base),
      TICKETS_URL: originOf(tickets.base),
      NOTIFICATIONS_URL: originOf(notifications.base),
    });
    publisher = createEventPublisher(createKafka('emailed-comments-test', tickets.config.KAFKA_BROKERS, logger));
    const anonymous = await ApiClient.connect(gateway.origin);
    const browser = async (email: string) => {
      const client = anonymous.fresh();
      const res = await client.post<{ csrfToken: string }>('/auth/login', { email, password: DEMO_PASSWORD });
      expect(res.status).toBe(200);
      client.csrfToken = res.body.csrfToken;
      return client;
    };
    [claire, paul] = await Promise.all([browser('claire@enseigne.example'), browser('paul@woop.example')]);
    // Paul reads in English.
    const admin = await browser('admin@woop.example');
    expect((await admin.patch('/users/user-paul', { locale: 'en' })).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await publisher?.close();
    await gateway?.stop();
    await Promise.all([identity?.stop(), tickets?.stop(), notifications?.stop()]);
  });

  const page = async (who: ApiClient, reference: string) =>
    (
      await fetch(`${gateway.origin}/requests/${reference}`, {
        headers: { cookie: who.cookieHeader(), 'accept-language': 'fr' },
      })
    ).text();
  /** The activity entry of the page that shows `body`. */
  const entryOf = (html: string, body: string) =>
    [...html.matchAll(/<li[^>]*>([\s\S]*?)<\/li>/g)].map((m) => m[1]!).find((li) => li.includes(body)) ?? '';

  it('says "par e-mail" / "by email" on an emailed reply, and not on a comment whose client claimed it', async () => {
    const type = REQUEST_TYPES.find((t) => t.key === 'ask-a-question')!;
    const created = await claire.post<TicketView>('/tickets', {
      requestType: type.key,
      portal: 'retailer',
      summary: 'Facture introuvable',
      description: 'Novembre',
      fields: validFields(type),
    });
    expect(created.status).toBe(201);
    const { reference, requester } = created.body.ticket;

    // A client says its comment came by email: the gateway and the service drop that.
    const claimed = await claire.post<TicketView>(`/tickets/${reference}/actions/comment`, {
      payload: { body: 'Depuis le portail', channel: 'email' },
    });
    expect(claimed.status).toBe(200);
    const portalEntry = claimed.body.ticket.activity.find((e) => e.body === 'Depuis le portail');
    expect(portalEntry?.data?.channel).toBeUndefined();

    // Claire's emailed reply, as the inbound reader publishes it (her address in the directory).
    await tickets.registerPeople([
      person(requester.id, 'customer', {
        organizationId: 'org-enseigne',
        name: 'Claire Durand',
        email: 'claire@enseigne.example',
      }),
    ]);
    const messageKey = createHash('sha256').update(randomUUID()).digest('hex');
    const data: MailReceived = {
      messageKey,
      from: { address: 'claire@enseigne.example' },
      subject: `Re: [${reference}]`,
      text: 'Voici la facture F-118.',
      visibleText: 'Voici la facture F-118.',
      language: 'fr',
      reply: { reference, userTag: replyUserTag(requester.id) },
      attachments: [],
      receivedAt: new Date().toISOString(),
    };
    await publisher.publish(TOPICS.mail.name, [
      makeEvent({
        id: mailEventId(messageKey),
        source: 'woop/inbound',
        type: MAIL_RECEIVED,
        subject: messageKey,
        data: data,
      }),
    ]);
    await eventually(
      async () => (await claire.get<TicketView>(`/tickets/${reference}`)).body.ticket.activity,
      (activity) => activity.some((e) => e.body === 'Voici la facture F-118.'),
      30_000,
    );

    const customerPage = await page(claire, reference);
    expect(entryOf(customerPage, 'Voici la facture F-118.')).toContain('par e-mail');
    expect(entryOf(customerPage, 'Depuis le portail')).not.toContain('par e-mail');
    const agentPage = await page(paul, reference);
    expect(entryOf(agentPage, 'Voici la facture F-118.')).toContain('by email');
    expect(entryOf(agentPage, 'Depuis le portail')).not.toContain('by email');
  });
});
