// Topics of its own: another suite's notifications, consuming shared ones, would answer this
// file's unknown senders too (a second answer where it counts one).
import '../support/private-topics';
import { ALL_TOPICS, type ActivityEntry, type TicketState } from '@woop/contracts';
import { createKafka, createLogger, ensureTopics, type VerifiedIdentity } from '@woop/service-kit';
import { loadInboundConfig } from '../../services/inbound/src/config';
import { inboundService } from '../../services/inbound/src/service';
import { eventually } from '../support/eventually';
import { uniqueId } from '../support/ids';
import { composeMail, SUPPORT, testMailbox, type TestMailbox } from '../support/imap-harness';
import { emailsTo, sentHeader, waitForEmail, type CaughtEmail } from '../support/mailcatcher';
import { startNotifications } from '../support/notifications-harness';
import { person } from '../support/people';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';

/**
 * The email channel end to end, on the real servers and nothing played: a notification email
 * caught by MailDev is answered the way a mail client answers it (to its Reply-To, with
 * In-Reply-To, the history quoted below a French quote header), the answer is appended to the
 * support mailbox on Dovecot, the inbound reader publishes it on Kafka, the tickets service
 * makes it a comment through the ticket's Temporal workflow, and notifications answers an
 * unknown sender. The parts' own suites (inbound, mail-replies) try every case at their
 * boundary; this one proves the parts fit.
 */
const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');

describe('the email channel, mailbox to request', () => {
  let api: TicketsApi;
  let n: Awaited<ReturnType<typeof startNotifications>>;
  let mailbox: TestMailbox;
  let inbound: ReturnType<typeof inboundService>;
  let claire: VerifiedIdentity;
  let paul: VerifiedIdentity;

  beforeAll(async () => {
    const kafka = createKafka('mail-channel-test', (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logger);
    await ensureTopics(kafka, ALL_TOPICS);
    n = await startNotifications({ NOTIFICATIONS_CLAIM_LEASE_MS: '10000' });
    api = await startTicketsApi();
    const org = uniqueId('org-enseigne');
    const made = (role: VerifiedIdentity['role'], name: string, extra: Partial<VerifiedIdentity>) => {
      const id = uniqueId(name.toLowerCase().split(' ')[0]!);
      return person(id, role, { ...extra, name, email: `${id}@mail.example` });
    };
    claire = made('customer', 'Claire Durand', { organizationId: org });
    paul = made('agent', 'Paul Agent', { teams: ['support'] });
    await api.registerPeople([claire, paul]);
    await api.knowsAgent(paul.userId);
    await eventually(
      () => n.service.models.Recipient.countDocuments({ _id: { $in: [claire.userId, paul.userId] } }),
      (c) => c === 2,
    );
    mailbox = await testMailbox();
    inbound = inboundService(loadInboundConfig(process.env), logger, mailbox.settings);
    await new Promise((r) => setTimeout(r, 1_000)); // the mail consumers' first fetch position is set
  }, 120_000);
  afterAll(async () => {
    for (const c of inbound?.parts.closeables ?? []) await c.close();
    await mailbox?.close();
    await api?.stop();
    await n?.stop();
  }, 120_000);

  const read = async (reference: string, who: VerifiedIdentity = paul) =>
    (await api.call(who, 'GET', `/tickets/${reference}`)).body.ticket as TicketState;
  const emailed = (t: TicketState) => t.activity.filter((e: ActivityEntry) => e.data?.channel === 'email');
  const emailAbout = (to: VerifiedIdentity, reference: string) =>
    waitForEmail((e) => e.to.some((t) => t.address === to.email) && e.subject.includes(reference), 30_000);

  /** What a mail client sends when its user answers `email` above the quoted history. */
  async function answer(from: VerifiedIdentity, email: CaughtEmail, body: string): Promise<Buffer> {
    const replyTo = await sentHeader(email, 'Reply-To');
    const messageId = await sentHeader(email, 'Message-ID');
    expect(replyTo).toMatch(/^support\+[0-9a-z-]+@woop\.example$/);
    const quoted = (email.text ?? '')
      .split('\n')
      .map((l) => `> ${l}`)
      .join('\n');
    return composeMail({
      from: `${from.name} <${from.email}>`,
      to: replyTo,
      subject: `Re: ${email.subject}`,
      inReplyTo: messageId,
      references: messageId,
      text: `${body}\n\nLe lun. 7 déc. 2026 à 10:02, Support Woop <support@woop.example> a écrit :\n${quoted}\n`,
    });
  }

  it("turns the requester's emailed reply into one public comment by them, however often the mailbox holds it", async () => {
    const created = await api.call(claire, 'POST', '/tickets', {
      requestType: 'ask-a-question',
      portal: 'retailer',
      summary: 'Facture de novembre introuvable',
      description: 'Je ne trouve pas la facture de novembre.',
    });
    expect(created.status).toBe(201);
    const reference = (created.body.ticket as { reference: string }).reference;
    const received = await emailAbout(claire, reference);
    expect(received.text).toMatch(/^## Répondez au-dessus de cette ligne ##/);

    const raw = await answer(claire, received, 'Le numéro de commande est CMD-4471.');
    await mailbox.appendMail(raw);
    await mailbox.appendMail(raw); // the same message twice (a client's retry, a second copy)
    const ticket = await eventually(
      () => read(reference),
      (t) => emailed(t).length > 0,
      60_000,
    );
    expect(emailed(ticket)).toEqual([
      expect.objectContaining({
        kind: 'comment',
        visibility: 'public',
        body: 'Le numéro de commande est CMD-4471.',
        actor: expect.objectContaining({ id: claire.userId, role: 'customer' }),
      }),
    ]);
    await eventually(
      () => mailbox.counts(),
      (c) => c.inbox === 0 && c.processed === 2,
      30_000,
    );
    await new Promise((r) => setTimeout(r, 3_000));
    expect(emailed(await read(reference))).toHaveLength(1);

    // The agent answers the "nouvelle demande" email the same way: a public answer the customer reads.
    const toAgent = await emailAbout(paul, reference);
    await mailbox.appendMail(await answer(paul, toAgent, 'Merci, nous la renvoyons aujourd’hui.'));
    const answered = await eventually(
      () => read(reference, claire),
      (t) => emailed(t).length === 2,
      60_000,
    );
    expect(emailed(answered)[1]).toMatchObject({
      visibility: 'public',
      body: 'Merci, nous la renvoyons aujourd’hui.',
      actor: { id: paul.userId, role: 'agent' },
    });
  });

  it('opens a request from a customer writing to support, and answers an unknown sender once, never an auto-reply', async () => {
    const subject = `Étiquettes introuvables ${uniqueId('s')}`;
    await mailbox.appendMail(
      await composeMail({ from: claire.email, to: SUPPORT, subject, text: 'Où trouver les étiquettes ?' }),
    );
    const receipt = await waitForEmail(
      (e) => e.to.some((t) => t.address === claire.email) && e.text?.includes(subject) === true,
      60_000,
    );
    const reference = /SUPPORT-\d+/.exec(receipt.subject)?.[0];
    expect(reference).toBeDefined();
    const opened = await read(reference!, claire);
    expect(opened).toMatchObject({ requestType: 'ask-a-question', summary: subject, status: 'open' });
    expect(opened.description).toContain('Où trouver les étiquettes ?');

    const stranger = `${uniqueId('inconnu')}@elsewhere.example`;
    await mailbox.appendMail(
      await composeMail({ from: stranger, to: SUPPORT, subject: 'Bonjour', text: 'Je voudrais un compte.' }),
    );
    await mailbox.appendMail(
      await composeMail({ from: stranger, to: SUPPORT, subject: 'Encore', text: 'Toujours moi.' }),
    );
    // An out-of-office from the same person: refused by the reader, never answered.
    await mailbox.appendMail(
      await composeMail({
        from: stranger,
        to: SUPPORT,
        subject: 'Absence du bureau',
        text: 'Je suis absent.',
        headers: { 'Auto-Submitted': 'auto-replied' },
      }),
    );
    await eventually(
      () => mailbox.counts(),
      (c) => c.inbox === 0 && c.refused === 1,
      60_000,
    );
    await eventually(
      () => emailsTo(stranger),
      (emails) => emails.length >= 1,
      30_000,
    );
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await emailsTo(stranger)).toHaveLength(1);
  });
});
