import { randomBytes } from 'node:crypto';
import type { EventEnvelope, MailReceived } from '@woop/contracts';
import { DEVELOPMENT_IMAP_PASSWORD, DEVELOPMENT_MAIL_REPLY_KEY, sealingKeySchema } from '@woop/service-kit';
import { ImapFlow } from 'imapflow';
import type { Kafka } from 'kafkajs';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import type { ReaderSettings } from '../../services/inbound/src/mailbox/reader';
import { uniqueId } from './ids';

/**
 * The support mailbox of the tests: the Dovecot of deploy/local/imap.sh (the global setup starts
 * it when IMAP_PORT does not answer). Tests share it, so each test reads a mailbox of its own
 * (`Tests/<id>`, with its Processed, Refused and Held below it) instead of the INBOX.
 */
export const imapServer = () => ({
  host: process.env.IMAP_HOST ?? '127.0.0.1',
  port: Number(process.env.IMAP_PORT ?? 1143),
  user: process.env.IMAP_USER ?? 'support@woop.example',
  password: process.env.IMAP_PASSWORD ?? DEVELOPMENT_IMAP_PASSWORD,
});

export const SUPPORT = 'support@woop.example';
export const replyKey = sealingKeySchema.parse(DEVELOPMENT_MAIL_REPLY_KEY);

export async function imapClient(server = imapServer()): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: server.host,
    port: server.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: server.user, pass: server.password },
    logger: false,
  });
  client.on('error', () => {});
  await client.connect();
  return client;
}

export interface TestMailbox {
  settings: ReaderSettings;
  folders: { inbox: string; processed: string; refused: string; held: string };
  client: ImapFlow;
  appendMail(raw: Buffer | string): Promise<void>;
  /** How many messages each folder holds. */
  counts(): Promise<{ inbox: number; processed: number; refused: number; held: number }>;
  close(): Promise<void>;
}

/** A mailbox of this test's own, and the reader settings that read it. */
export async function testMailbox(
  overrides: Partial<ReaderSettings> = {},
  server = imapServer(),
): Promise<TestMailbox> {
  const base = `Tests/${uniqueId('inbound')}`;
  const folders = { inbox: base, processed: `${base}/Processed`, refused: `${base}/Refused`, held: `${base}/Held` };
  const client = await imapClient(server);
  for (const f of Object.values(folders)) await client.mailboxCreate(f);
  const status = async (f: string) => {
    const s = await client.status(f, { messages: true });
    return s ? (s.messages ?? 0) : 0;
  };
  return {
    folders,
    client,
    settings: {
      host: server.host,
      port: server.port,
      tls: 'false',
      user: server.user,
      password: server.password,
      mailbox: folders.inbox,
      folders: { processed: folders.processed, refused: folders.refused, held: folders.held },
      pollMs: 30_000,
      reconnectMaxMs: 2_000,
      ratePerHour: 20,
      supportAddress: SUPPORT,
      keys: [replyKey],
      ...overrides,
    },
    async appendMail(raw) {
      await client.append(folders.inbox, raw);
    },
    async counts() {
      return {
        inbox: await status(folders.inbox),
        processed: await status(folders.processed),
        refused: await status(folders.refused),
        held: await status(folders.held),
      };
    },
    async close() {
      await client.logout().catch(() => client.close());
    },
  };
}

/** An RFC 822 message as a mail client makes it (nodemailer's composer). */
export async function composeMail(options: Mail.Options): Promise<Buffer> {
  return new MailComposer({
    messageId: `<${randomBytes(10).toString('hex')}@mail.client.example>`,
    date: new Date(),
    ...options,
  })
    .compile()
    .build();
}

/** Every `mail.received` event the topic gets while it runs (from the start of the topic). */
export async function collectMail(kafka: Kafka, topic: string, filter: (mail: MailReceived) => boolean) {
  const consumer = kafka.consumer({ groupId: uniqueId('test-inbound') });
  const events: EventEnvelope<MailReceived>[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const event = JSON.parse(message.value?.toString() ?? '{}') as EventEnvelope<MailReceived>;
      if (event.data && filter(event.data)) events.push(event);
    },
  });
  return { events, stop: () => consumer.disconnect() };
}
