// Topics of its own: another suite's notifications, consuming shared ones, would answer this
// file's unknown senders too (a second answer where it counts one).
import '../support/private-topics';
import { createHash, randomUUID } from 'node:crypto';
import {
  ALL_TOPICS,
  makeEvent,
  mailEventId,
  MAIL_RECEIVED,
  REPLY_ABOVE_LINE,
  TOPICS,
  type ActivityEntry,
  type EventEnvelope,
  type MailReceived,
  type TicketState,
} from '@woop/contracts';
import {
  createEventPublisher,
  createKafka,
  createLogger,
  ensureTopics,
  metricsRegistry,
  openReplyToken,
  replyToken,
  replyUserTag,
  tokenOfAddress,
  tokensOfReferences,
  type EventPublisher,
  type VerifiedIdentity,
} from '@woop/service-kit';
import { eventually } from '../support/eventually';
import { uniqueId } from '../support/ids';
import { emailsTo, headerOf, sentHeader, waitForEmail } from '../support/mailcatcher';
import { startNotifications } from '../support/notifications-harness';
import { person } from '../support/people';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';

/**
 * The email channel's tickets and notifications sides, on the real servers: `mail.received`
 * events published on Kafka as the inbound reader publishes them (the reader itself is another
 * part), acted on by the tickets service (comments, answers, information, new requests) and the
 * notifications service (answers to unknown senders), emails caught by MailDev.
 */
const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');

describe('the email channel: replies and new requests', () => {
  let api: TicketsApi;
  let n: Awaited<ReturnType<typeof startNotifications>>;
  let publisher: EventPublisher;
  let claire: VerifiedIdentity;
  let hugo: VerifiedIdentity;
  let ines: VerifiedIdentity;
  let paul: VerifiedIdentity;

  beforeAll(async () => {
    await ensureTopics(
      createKafka('mail-replies-topics', (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logger),
      ALL_TOPICS,
    );
    // A short claim lease: an email whose first try died is retried soon, not after 2 minutes.
    n = await startNotifications({ NOTIFICATIONS_CLAIM_LEASE_MS: '10000' });
    api = await startTicketsApi();
    publisher = createEventPublisher(createKafka('mail-replies-test', api.config.KAFKA_BROKERS, logger));
    const org = uniqueId('org-enseigne');
    const made = (role: VerifiedIdentity['role'], extra: Partial<VerifiedIdentity>) => {
      const id = uniqueId(String(extra.name).toLowerCase().split(' ')[0]!);
      return person(id, role, { ...extra, email: `${id}@mail.example` });
    };
    claire = made('customer', { organizationId: org, name: 'Claire Durand' });
    hugo = made('customer', { organizationId: org, name: 'Hugo Martin' });
    ines = made('customer', { organizationId: uniqueId('org-transports'), name: 'Ines Moreau' });
    paul = made('agent', { teams: ['support'], name: 'Paul Agent' });
    await api.registerPeople([claire, hugo, ines, paul]);
    await api.knowsAgent(paul.userId);
    await eventually(
      () => n.service.models.Recipient.countDocuments({ _id: { $in: [claire.userId, paul.userId] } }),
      (c) => c === 2,
    );
    await new Promise((r) => setTimeout(r, 1_000)); // the mail groups' first fetch position is set
  }, 120_000);
  afterAll(async () => {
    await publisher?.close();
    await api?.stop();
    await n?.stop();
  }, 120_000);

  /** A mail.received event as the reader publishes it. */
  function mail(from: string, extra: Partial<MailReceived> = {}): EventEnvelope {
    const messageKey = createHash('sha256').update(randomUUID()).digest('hex');
    const data: MailReceived = {
      messageKey,
      from: { address: from.toLowerCase() },
      subject: 'Re: votre demande',
      text: 'Voici le numéro de facture : F-2026-118.\n\nLe 7 déc. 2026, Support a écrit :\n> ancien texte',
      visibleText: 'Voici le numéro de facture : F-2026-118.',
      language: 'fr',
      attachments: [],
      receivedAt: new Date().toISOString(),
      ...extra,
    };
    return makeEvent({
      id: mailEventId(messageKey),
      source: 'woop/inbound',
      type: MAIL_RECEIVED,
      subject: messageKey,
      data: data,
    });
  }
  const reply = (reference: string, to: VerifiedIdentity) => ({ reference, userTag: replyUserTag(to.userId) });
  const publish = (...events: EventEnvelope[]) => publisher.publish(TOPICS.mail.name, events);

  async function ignoredCount(reason: string): Promise<number> {
    const metric = metricsRegistry.getSingleMetric('woop_mail_ignored_total');
    const values = (await metric?.get())?.values ?? [];
    return values.filter((v) => v.labels.reason === reason).reduce((sum, v) => sum + v.value, 0);
  }
  /** Publishes `event` and waits until the tickets service has ignored it for `reason`. */
  async function expectIgnored(event: EventEnvelope, reason: string) {
    const before = await ignoredCount(reason);
    await publish(event);
    await eventually(
      () => ignoredCount(reason),
      (c) => c > before,
      30_000,
    );
  }

  async function file(who = claire, summary = 'Facture introuvable'): Promise<string> {
    const res = await api.call(who, 'POST', '/tickets', {
      requestType: 'ask-a-question',
      portal: 'retailer',
      summary,
      description: 'Je ne trouve pas la facture de novembre.',
    });
    expect(res.status).toBe(201);
    return (res.body.ticket as { reference: string }).reference;
  }
  const read = async (reference: string, who: VerifiedIdentity = paul) =>
    (await api.call(who, 'GET', `/tickets/${reference}`)).body.ticket as TicketState;
  const act = async (who: VerifiedIdentity, reference: string, action: string, payload = {}) => {
    const res = await api.call(who, 'POST', `/tickets/${reference}/actions/${action}`, { payload });
    expect([action, res.status]).toEqual([action, 200]);
  };
  const emailed = (t: TicketState) => t.activity.filter((e: ActivityEntry) => e.data?.channel === 'email');

  it("makes the requester's reply one public comment by them, marked as emailed, however often it is read", async () => {
    const reference = await file();
    const event = mail(claire.email, { reply: reply(reference, claire) });
    await publish(event, event);
    const ticket = await eventually(
      () => read(reference),
      (t) => emailed(t).length > 0,
      30_000,
    );
    const [entry] = emailed(ticket);
    expect(entry).toMatchObject({
      kind: 'comment',
      visibility: 'public',
      body: 'Voici le numéro de facture : F-2026-118.',
      actor: { id: claire.userId, role: 'customer' },
      data: { channel: 'email' },
    });
    // Read again later (a redelivery after a restart): still one comment.
    await publish(event);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(emailed(await read(reference))).toHaveLength(1);
    // The customer reads it as theirs, on the public side.
    expect(emailed(await read(reference, claire))).toHaveLength(1);
  });

  it('gives the information asked for when the request waits for the customer: it goes back', async () => {
    const reference = await file();
    await act(paul, reference, 'qualify', {
      priority: 'medium',
      billable: false,
      assignment: { agentId: paul.userId },
    });
    await act(paul, reference, 'start');
    await act(paul, reference, 'requestInformation', { question: 'Quel numéro de facture ?' });
    expect((await read(reference)).status).toBe('waiting_for_customer');
    await publish(mail(claire.email, { reply: reply(reference, claire) }));
    const ticket = await eventually(
      () => read(reference),
      (t) => t.status === 'in_progress',
      30_000,
    );
    expect(emailed(ticket)).toEqual([
      expect.objectContaining({ kind: 'comment', body: 'Voici le numéro de facture : F-2026-118.' }),
    ]);
  });

  it("makes an agent's reply a public answer, and a reply on RÉSOLU a comment that decides nothing", async () => {
    const reference = await file();
    await act(paul, reference, 'qualify', {
      priority: 'medium',
      billable: false,
      assignment: { agentId: paul.userId },
    });
    await act(paul, reference, 'start');
    await publish(mail(paul.email, { reply: reply(reference, paul), visibleText: 'Nous regardons.' }));
    const answered = await eventually(
      () => read(reference, claire),
      (t) => emailed(t).length === 1,
      30_000,
    );
    expect(emailed(answered)[0]).toMatchObject({
      kind: 'comment',
      visibility: 'public',
      body: 'Nous regardons.',
      actor: { id: paul.userId, role: 'agent' },
    });
    // The first response is met: a reply is the public answer, not a note.
    expect((await read(reference)).sla.firstResponse.metAt).toBeDefined();

    await act(paul, reference, 'resolve', { answer: 'Facture renvoyée.' });
    await publish(mail(claire.email, { reply: reply(reference, claire), visibleText: 'Merci, mais…' }));
    const after = await eventually(
      () => read(reference),
      (t) => emailed(t).length === 2,
      30_000,
    );
    expect(after.status).toBe('resolved');
    expect(emailed(after)[1]).toMatchObject({ kind: 'comment', body: 'Merci, mais…' });
  });

  it('writes nothing on a closed request, nor for a wrong tag, another sender or a person who no longer sees it', async () => {
    const reference = await file();
    const before = (await read(reference)).version;
    // Tagged for Hugo (who could see it) but sent from Claire's address: not the recipient.
    await expectIgnored(mail(claire.email, { reply: reply(reference, hugo) }), 'not_the_recipient');
    // A tag nobody has.
    await expectIgnored(mail(claire.email, { reply: { reference, userTag: 'aaaaaaaa' } }), 'not_the_recipient');
    // Inès (another organisation) with a token made for her: she may not see it.
    await expectIgnored(mail(ines.email, { reply: reply(reference, ines) }), 'not_visible');
    // Blank.
    await expectIgnored(mail(claire.email, { reply: reply(reference, claire), text: ' ', visibleText: '' }), 'empty');
    expect((await read(reference)).version).toBe(before);

    await act(paul, reference, 'reject', { reason: 'Hors périmètre.' });
    await act(claire, reference, 'acceptRejection');
    await eventually(
      () => read(reference),
      (t) => t.status === 'closed',
    );
    await expectIgnored(mail(claire.email, { reply: reply(reference, claire) }), 'request_closed');
    expect(emailed(await read(reference))).toHaveLength(0);
  });

  it("keeps an email's attachments under the upload checks: an .exe is refused, the comment lands", async () => {
    const reference = await file();
    await publish(
      mail(claire.email, {
        reply: reply(reference, claire),
        attachments: [
          {
            filename: 'capture.png',
            contentType: 'image/png',
            size: PNG.length,
            contentBase64: PNG.toString('base64'),
          },
          {
            filename: 'facture.exe',
            contentType: 'application/octet-stream',
            size: 4,
            contentBase64: Buffer.from('MZ\x90\x00').toString('base64'),
          },
          // Declared a PNG, named .png, but a program inside: its signature says otherwise.
          {
            filename: 'photo.png',
            contentType: 'image/png',
            size: 4,
            contentBase64: Buffer.from('MZ\x90\x00').toString('base64'),
          },
        ],
      }),
    );
    const ticket = await eventually(
      () => read(reference),
      (t) => t.activity.some((e) => e.kind === 'attachment' && e.data?.filename === 'capture.png'),
      30_000,
    );
    expect(emailed(ticket)).toHaveLength(1);
    const files = (await api.call(claire, 'GET', `/tickets/${reference}/attachments`)).body.items as Array<{
      filename: string;
      uploadedBy: { id: string };
    }>;
    expect(files.map((f) => f.filename)).toEqual(['capture.png']);
    expect(files[0]!.uploadedBy.id).toBe(claire.userId);
  });

  it('does not let a client mark its comment as emailed', async () => {
    const reference = await file();
    const res = await api.call(claire, 'POST', `/tickets/${reference}/actions/comment`, {
      payload: { body: 'Par le portail', channel: 'email' },
    });
    expect(res.status).toBe(200);
    const ticket = await read(reference);
    const entry = ticket.activity.find((e) => e.body === 'Par le portail');
    expect(entry).toBeDefined();
    expect(entry?.data?.channel).toBeUndefined();
  });

  it('opens a request "Poser une question" for a known customer, whose "received" email can be replied to', async () => {
    const subject = `Étiquettes illisibles ${randomUUID().slice(0, 8)}`;
    const event = mail(claire.email, {
      subject: `  ${subject}  `,
      text: 'Les étiquettes sortent blanches depuis ce matin.',
      visibleText: 'Les étiquettes sortent blanches depuis ce matin.',
      attachments: [
        {
          filename: 'etiquette.png',
          contentType: 'image/png',
          size: PNG.length,
          contentBase64: PNG.toString('base64'),
        },
      ],
    });
    await publish(event, event);
    const list = async () =>
      (
        (await api.call(claire, 'GET', '/tickets?limit=100')).body.items as Array<{
          reference: string;
          summary: string;
        }>
      ).filter((t) => t.summary === subject);
    const [found] = await eventually(list, (l) => l.length > 0, 30_000);
    const ticket = await read(found!.reference, claire);
    expect(ticket).toMatchObject({
      requestType: 'ask-a-question',
      summary: subject,
      description: 'Les étiquettes sortent blanches depuis ce matin.',
      requester: { id: claire.userId },
    });
    expect(ticket.activity[0]).toMatchObject({ kind: 'created', data: { channel: 'email' } });
    const files = await eventually(
      async () => (await api.call(claire, 'GET', `/tickets/${found!.reference}/attachments`)).body.items as unknown[],
      (f) => f.length === 1,
      30_000,
    );
    expect(files).toHaveLength(1);

    // The usual "demande reçue", with a reply address and a Message-ID that open to it and to her.
    const received = await waitForEmail(
      (e) =>
        e.to.some((t) => t.address === claire.email) &&
        e.subject === `[${found!.reference}] Votre demande a bien été reçue`,
      60_000,
    );
    expect(received.text?.split('\n')[0]).toBe(REPLY_ABOVE_LINE.fr);
    const replyTo = (await sentHeader(received, 'reply-to')) ?? '';
    const address = /<?([^<>\s]+@[^<>\s]+)>?/.exec(replyTo)?.[1] ?? '';
    const token = tokenOfAddress(n.config.MAIL_SUPPORT_ADDRESS, address);
    expect(token).toBeDefined();
    const keys = [n.config.MAIL_REPLY_KEY];
    expect(openReplyToken(keys, token!)).toEqual({ reference: found!.reference, userTag: replyUserTag(claire.userId) });
    expect(token).toBe(replyToken(n.config.MAIL_REPLY_KEY, found!.reference, claire.userId));
    expect(tokensOfReferences(headerOf(received, 'message-id'))).toEqual([token]);

    // Read twice: still one request.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await list()).toHaveLength(1);
  });

  it('answers an unknown sender once a day with how to create an account, and opens nothing', async () => {
    const stranger = `${uniqueId('inconnu')}@ailleurs.example`;
    await publish(mail(stranger, { subject: 'Bonjour', language: 'en' }));
    const answer = await waitForEmail((e) => e.to.some((t) => t.address === stranger), 30_000);
    expect(answer.subject).toBe('Your email to WOOP support');
    expect(answer.text).toContain('/signup');
    expect(await sentHeader(answer, 'reply-to')).toBeUndefined();

    // A second message the same day, and a reply (its token opened) from another stranger.
    await publish(mail(stranger, { subject: 'Encore moi' }));
    const other = `${uniqueId('inconnu')}@ailleurs.example`;
    await publish(mail(other, { reply: { reference: 'SUPPORT-1', userTag: 'aaaaaaaa' } }));
    await new Promise((r) => setTimeout(r, 4_000));
    expect(await emailsTo(stranger)).toHaveLength(1);
    expect(await emailsTo(other)).toHaveLength(0);
    // No row of the address in clear: the day's claim is a digest.
    const rows = await n.service.models.MailAnswer.find({}).lean();
    expect(rows.some((r) => String(r._id).includes(stranger))).toBe(false);
  });

  it('answers a known active customer nothing (their message opens a request)', async () => {
    const subject = `Question ${randomUUID().slice(0, 8)}`;
    await publish(mail(hugo.email, { subject }));
    await eventually(
      async () =>
        ((await api.call(hugo, 'GET', '/tickets?limit=100')).body.items as Array<{ summary: string }>).filter(
          (t) => t.summary === subject,
        ),
      (l) => l.length === 1,
      30_000,
    );
    await new Promise((r) => setTimeout(r, 2_000));
    expect(
      (await emailsTo(hugo.email)).filter(
        (e) => e.subject.includes('WOOP support') || e.subject.includes('support WOOP'),
      ),
    ).toHaveLength(0);
  });
});
