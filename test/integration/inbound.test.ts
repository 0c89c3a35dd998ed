import { randomBytes } from 'node:crypto';
import { MAIL_MESSAGE_MAX_BYTES, mailEventId, TOPICS, type MailReceived } from '@woop/contracts';
import {
  createEventPublisher,
  createKafka,
  createLogger,
  messageIdWithToken,
  replyAddress,
  replyToken,
  replyUserTag,
  type EventPublisher,
} from '@woop/service-kit';
import { Kafka, logLevel } from 'kafkajs';
import { MailboxReader, type ReaderSettings } from '../../services/inbound/src/mailbox/reader';
import { eventually } from '../support/eventually';
import { freePort } from '../support/processes';
import { uniqueId } from '../support/ids';
import { collectMail, composeMail, replyKey, SUPPORT, testMailbox, type TestMailbox } from '../support/imap-harness';

/**
 * Issue 20, the support mailbox and its reader, on the real Dovecot (deploy/local/imap.sh) and
 * the real Kafka: what a person writes is published once as `mail.received` (with the reply's
 * claims and what they wrote above the history), whatever a real mailbox also receives is
 * refused into Refused with its reason in the log, a flood is held, and a message read twice
 * (appended twice, or a reader killed between publishing and moving it) is one event id.
 */
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const lines: string[] = [];
const logger = createLogger('inbound-test', 'info', { write: (line: string) => void lines.push(line) });
const kafka = createKafka('inbound-test', brokers, logger);
const publisher = createEventPublisher(kafka);
const run = uniqueId('run');
let collector: Awaited<ReturnType<typeof collectMail>>;

beforeAll(async () => {
  collector = await collectMail(kafka, TOPICS.mail.name, (m) => m.subject.includes(run));
});
afterAll(async () => {
  await collector.stop();
  await publisher.close();
});

const open: Array<{ reader: MailboxReader; mailbox: TestMailbox }> = [];
afterEach(async () => {
  for (const { reader, mailbox } of open.splice(0)) {
    await reader.close();
    await mailbox.close();
  }
});

async function startReader(overrides: Partial<ReaderSettings> = {}, via: EventPublisher = publisher) {
  const mailbox = await testMailbox(overrides);
  const reader = new MailboxReader(mailbox.settings, via, logger);
  open.push({ reader, mailbox });
  reader.start();
  await eventually(
    async () => reader.connected,
    (c) => c,
    10_000,
  );
  return { reader, mailbox };
}

const eventsOf = (subject: string) => collector.events.filter((e) => e.data.subject === subject);
const settle = async (mailbox: TestMailbox, expected: Partial<Awaited<ReturnType<TestMailbox['counts']>>>) =>
  eventually(
    () => mailbox.counts(),
    (c) => Object.entries(expected).every(([k, v]) => c[k as keyof typeof c] === v),
    30_000,
  );

const claire = { name: 'Claire Martin', address: `claire.${randomBytes(3).toString('hex')}@enseigne.example` };

describe('the inbound reader, on Dovecot and Kafka', () => {
  it('publishes a reply once, with its claims and what the sender wrote (FR, EN and Outlook quote headers)', async () => {
    const { mailbox } = await startReader();
    const token = replyToken(replyKey, 'SUPPORT-4812', 'user-claire');
    const to = replyAddress(SUPPORT, token);
    const replies = [
      {
        subject: `Re: [SUPPORT-4812] Informations demandées ${run} fr`,
        text: 'Le numéro est FA-2026-118.\n\nLe lun. 7 déc. 2026 à 10:02, Support Woop <\nsupport@woop.example> a écrit :\n> ## Répondez au-dessus de cette ligne ##\n> Pouvez-vous préciser le numéro de facture ?\n',
        visible: 'Le numéro est FA-2026-118.',
        language: 'fr',
      },
      {
        subject: `Re: [SUPPORT-4812] Information requested ${run} en`,
        text: 'It is FA-2026-118, thanks.\n\nOn Mon, Dec 7, 2026 at 10:02 AM Woop Support <support@woop.example> wrote:\n> ## Reply above this line ##\n> Could you give the invoice number?\n',
        visible: 'It is FA-2026-118, thanks.',
        language: 'en',
      },
      {
        subject: `RE: [SUPPORT-4812] Informations demandées ${run} outlook`,
        text: 'Voici le numéro : FA-2026-118\n\n________________________________\nDe : Support Woop <support@woop.example>\nEnvoyé : lundi 7 décembre 2026 10:02\nÀ : Claire Martin\nObjet : [SUPPORT-4812] Informations demandées\n\n## Répondez au-dessus de cette ligne ##\nPouvez-vous préciser ?\n',
        visible: 'Voici le numéro : FA-2026-118',
        language: 'fr',
      },
    ];
    for (const r of replies)
      await mailbox.appendMail(await composeMail({ from: claire, to, subject: r.subject, text: r.text }));
    await settle(mailbox, { inbox: 0, processed: 3 });
    for (const r of replies) {
      const [event, ...more] = await eventually(
        async () => eventsOf(r.subject),
        (es) => es.length > 0,
      );
      expect(more).toEqual([]);
      expect(event).toMatchObject({
        id: mailEventId(event!.data.messageKey),
        source: 'woop/inbound',
        type: 'mail.received',
        subject: 'SUPPORT-4812', // a reply is keyed by its request (mailEventSubject)
      });
      expect(event!.data).toMatchObject<Partial<MailReceived>>({
        from: { address: claire.address, name: claire.name },
        reply: { reference: 'SUPPORT-4812', userTag: replyUserTag('user-claire') },
        visibleText: r.visible,
        language: r.language as 'fr' | 'en',
        attachments: [],
      });
    }
  });

  it('finds the request by In-Reply-To when the client dropped the plus-address, and turns HTML-only mail into safe text', async () => {
    const { mailbox } = await startReader();
    const token = replyToken(replyKey, 'SUPPORT-77', 'user-ines');
    const subject = `Re: [SUPPORT-77] ${run} html`;
    await mailbox.appendMail(
      await composeMail({
        from: 'ines@transports.example',
        to: SUPPORT,
        subject,
        inReplyTo: messageIdWithToken('9f3a', token),
        html: '<p>Hello,</p><p>The <b>printer</b> &lt;HP-4&gt; is back.<img src="https://tracker.example/p.gif"></p><script>alert(1)</script>',
      }),
    );
    await settle(mailbox, { inbox: 0, processed: 1 });
    const [event] = await eventually(
      async () => eventsOf(subject),
      (es) => es.length === 1,
    );
    expect(event!.data.reply).toEqual({ reference: 'SUPPORT-77', userTag: replyUserTag('user-ines') });
    expect(event!.data.text).toBe('Hello,\n\nThe printer <HP-4> is back.');
    expect(event!.data.language).toBe('en');
  });

  it('publishes one event id for a message appended twice', async () => {
    const { mailbox } = await startReader();
    const subject = `Question ${run} twice`;
    const raw = await composeMail({ from: claire, to: SUPPORT, subject, text: 'Bonjour, une question.' });
    await mailbox.appendMail(raw);
    await mailbox.appendMail(raw);
    await settle(mailbox, { inbox: 0, processed: 2 });
    await new Promise((r) => setTimeout(r, 1_000));
    const events = eventsOf(subject);
    expect(events.length).toBe(1);
    expect(events[0]!.data.reply).toBeUndefined();
  });

  it('a reader killed between publishing and moving: the next one publishes the same event id, the message is processed', async () => {
    const subject = `Question ${run} crash`;
    let killed!: () => void;
    const crashed = new Promise<void>((resolve) => (killed = resolve));
    const { reader: first, mailbox } = await startReader({
      // The crash point: the event is out, the message not moved yet.
      afterPublish: async () => {
        killed();
        void first.close();
        throw new Error('killed after publishing');
      },
    });
    await mailbox.appendMail(await composeMail({ from: claire, to: SUPPORT, subject, text: 'Bonjour.' }));
    await crashed;
    await first.close();
    expect(await mailbox.counts()).toMatchObject({ inbox: 1, processed: 0 });
    // A new process: nothing remembered.
    const second = new MailboxReader({ ...mailbox.settings, afterPublish: undefined }, publisher, logger);
    open.push({ reader: second, mailbox: await testMailbox() });
    second.start();
    await settle(mailbox, { inbox: 0, processed: 1 });
    const events = await eventually(
      async () => eventsOf(subject),
      (es) => es.length === 2,
    );
    expect(new Set(events.map((e) => e.id)).size).toBe(1);
  });

  it('makes its folders in a mailbox that has none', async () => {
    const base = uniqueId('Tests/bare');
    const { mailbox } = await startReader({
      folders: { processed: `${base}-Processed`, refused: `${base}-Refused`, held: `${base}-Held` },
    });
    const paths = (await mailbox.client.list()).map((m) => m.path);
    expect(paths).toEqual(expect.arrayContaining([`${base}-Processed`, `${base}-Refused`, `${base}-Held`]));
  });

  it('two copies of the reader on one mailbox: every message published under one id, the inbox emptied', async () => {
    const { mailbox } = await startReader();
    const twin = new MailboxReader(mailbox.settings, publisher, logger);
    open.push({ reader: twin, mailbox: await testMailbox() });
    twin.start();
    const subjects = Array.from({ length: 60 }, (_, i) => `Question ${run} twins #${i}`);
    for (const [i, subject] of subjects.entries()) {
      const from = `twin${i}.${randomBytes(3).toString('hex')}@enseigne.example`;
      await mailbox.appendMail(await composeMail({ from, to: SUPPORT, subject, text: 'Bonjour.' }));
    }
    // Both may move one message they both read before either saw it go: Dovecot then files a
    // copy of it twice in Processed (its event is still one id). The inbox empties all the same.
    await eventually(
      () => mailbox.counts(),
      (c) => c.inbox === 0 && c.processed >= subjects.length,
      30_000,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    for (const subject of subjects) expect(new Set(eventsOf(subject).map((e) => e.id)).size).toBe(1);
  });

  it('refuses what a real mailbox also receives: no event, moved to Refused, the reason in the log (never the address)', async () => {
    const { mailbox } = await startReader();
    const hostile = async (kind: string, options: Parameters<typeof composeMail>[0]) =>
      composeMail({ from: claire, to: SUPPORT, text: 'Absent.', ...options, subject: `${kind} ${run}` });
    const messages: Array<[string, Buffer]> = [
      ['out-of-office', await hostile('ooo', { headers: { 'Auto-Submitted': 'auto-replied' } })],
      ['x-autoreply', await hostile('xar', { headers: { 'X-Autoreply': 'yes' } })],
      ['bounce', await hostile('bounce', { from: 'MAILER-DAEMON@mx.enseigne.example' })],
      ['bulk', await hostile('bulk', { headers: { Precedence: 'bulk' } })],
      ['forged', await hostile('forged', { to: 'support+4812-abcdefgh-abcdefghijklmnop@woop.example' })],
      ['loop', await hostile('loop', { from: SUPPORT })],
      [
        'report',
        Buffer.from(
          `From: mx@enseigne.example\r\nTo: ${SUPPORT}\r\nSubject: report ${run}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nDelivery failed\r\n--b--\r\n`,
        ),
      ],
      ['malformed', Buffer.from(`\u0000\u0001 ${run} not a message`)],
      [
        'oversized',
        await hostile('big', {
          attachments: [{ filename: 'big.bin', content: randomBytes(Math.ceil(MAIL_MESSAGE_MAX_BYTES * 0.76)) }],
        }),
      ],
    ];
    for (const [, raw] of messages) await mailbox.appendMail(raw);
    await settle(mailbox, { inbox: 0, refused: messages.length, processed: 0 });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(
      collector.events.filter((e) => e.data.subject.includes(run) && !/^(Re|RE|Question)/.test(e.data.subject)),
    ).toEqual([]);
    const refusals = lines
      .map((l) => JSON.parse(l) as { msg: string; reason?: string; folder?: string })
      .filter((l) => l.msg === 'message refused' && l.folder === mailbox.folders.refused)
      .map((l) => l.reason)
      .sort();
    expect(refusals).toEqual(
      ['auto-reply', 'auto-reply', 'bounce', 'bounce', 'bulk', 'forged-token', 'loop', 'malformed', 'oversized'].sort(),
    );
    expect(lines.join('\n')).not.toContain(claire.address);
  });

  it('holds the 21st message of an hour from one sender', async () => {
    const { mailbox } = await startReader();
    const sender = `flood.${randomBytes(3).toString('hex')}@enseigne.example`;
    for (let i = 0; i < 21; i++) {
      await mailbox.appendMail(
        await composeMail({ from: sender, to: SUPPORT, subject: `flood ${i} ${run}`, text: `n° ${i}` }),
      );
    }
    await settle(mailbox, { inbox: 0, processed: 20, held: 1 });
    const held = lines.map((l) => JSON.parse(l) as { msg: string; folder?: string; reason?: string });
    expect(held.filter((l) => l.msg === 'message held' && l.folder === mailbox.folders.held)).toEqual([
      expect.objectContaining({ reason: 'rate' }),
    ]);
  });

  it('IMAP server away: not ready, and reconnects with a backoff (no tight loop)', async () => {
    const mailbox = await testMailbox();
    const port = await freePort(); // nothing listens there
    const reader = new MailboxReader({ ...mailbox.settings, port, reconnectMaxMs: 2_000 }, publisher, logger);
    open.push({ reader, mailbox });
    const before = lines.length;
    reader.start();
    await new Promise((r) => setTimeout(r, 4_500));
    await expect(reader.readiness.check()).rejects.toThrow(/not connected/);
    const attempts = lines.slice(before).filter((l) => l.includes('support mailbox unreachable')).length;
    // 0, 1, 3 (1 s, then 2 s each) and maybe 5 s: a handful, never hundreds.
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(attempts).toBeLessThanOrEqual(4);
  });

  it('Kafka down: the message stays in the inbox, and is published once Kafka is back', async () => {
    const dead = new Kafka({
      clientId: 'inbound-test-dead',
      brokers: ['127.0.0.1:1'],
      connectionTimeout: 300,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
    const nowhere = createEventPublisher(dead);
    const { reader, mailbox } = await startReader({}, nowhere);
    const subject = `Question ${run} kafka-down`;
    await mailbox.appendMail(await composeMail({ from: claire, to: SUPPORT, subject, text: 'Bonjour.' }));
    await eventually(
      async () => lines.some((l) => l.includes('could not publish messages')),
      (v) => v,
    );
    await reader.close();
    expect(await mailbox.counts()).toMatchObject({ inbox: 1, processed: 0 });
    const again = new MailboxReader(mailbox.settings, publisher, logger);
    open.push({ reader: again, mailbox: await testMailbox() });
    again.start();
    await settle(mailbox, { inbox: 0, processed: 1 });
    await eventually(
      async () => eventsOf(subject),
      (es) => es.length === 1,
    );
    await nowhere.close();
  });
});
