import {
  MAIL_MESSAGE_MAX_BYTES,
  MAIL_RECEIVED,
  mailEventId,
  makeEvent,
  TOPICS,
  type MailReceived,
} from '@woop/contracts';
import {
  counter,
  metricsRegistry,
  type EventPublisher,
  type Logger,
  type ReadinessCheck,
  type SealingKey,
} from '@woop/service-kit';
import { ImapFlow } from 'imapflow';
import { Gauge } from 'prom-client';
import { readMessage, type Refusal } from './message';

export const inboundMessages = counter(
  'woop_inbound_messages_total',
  'Messages read from the support mailbox, by outcome (accepted: published; refused; held: sender over its rate) and reason',
  ['outcome', 'reason'] as const,
);

/** 1 while a reader holds the mailbox (one per process). */
const readers = new Set<MailboxReader>();
if (!metricsRegistry.getSingleMetric('woop_inbound_mailbox_connected')) {
  new Gauge({
    name: 'woop_inbound_mailbox_connected',
    help: 'Whether the inbound reader holds the support mailbox (1) or not (0: unreachable, refused login)',
    registers: [metricsRegistry],
    collect() {
      this.set([...readers].some((r) => r.connected) ? 1 : 0);
    },
  });
}

export interface ReaderSettings {
  host: string;
  port: number;
  /** true: TLS from the start; starttls: required upgrade; false: clear text (local only). */
  tls: 'true' | 'false' | 'starttls';
  user: string;
  password: string;
  mailbox: string;
  folders: { processed: string; refused: string; held: string };
  pollMs: number;
  reconnectMaxMs: number;
  ratePerHour: number;
  supportAddress: string;
  keys: readonly SealingKey[];
  /** Tests: runs between the publication and the move (a crash there must not lose nor double). */
  afterPublish?: (mail: MailReceived) => Promise<void>;
}

const HOUR_MS = 60 * 60 * 1000;
const RECENT_KEYS = 10_000;

/** Accepted messages per sender over the last hour (one count per message key). */
class SenderRate {
  private readonly seen = new Map<string, Map<string, number>>();
  constructor(private readonly perHour: number) {}
  over(address: string, key: string, now: number): boolean {
    const keys = this.seen.get(address);
    if (!keys || keys.has(key)) return false;
    for (const [k, at] of keys) if (now - at > HOUR_MS) keys.delete(k);
    return keys.size >= this.perHour;
  }
  record(address: string, key: string, now: number): void {
    const keys = this.seen.get(address) ?? new Map<string, number>();
    keys.set(key, now);
    this.seen.set(address, keys);
    if (this.seen.size > 100_000) {
      for (const [a, ks] of this.seen) if ([...ks.values()].every((at) => now - at > HOUR_MS)) this.seen.delete(a);
    }
  }
}

type Drained = 'done' | 'retry';

/**
 * Reads the support mailbox: every message of the inbox, one at a time and oldest first, is
 * refused (moved to Refused), held (moved to Held: its sender is over the rate) or published as
 * `mail.received` on TOPICS.mail and THEN moved to Processed. A crash between the two re-reads the
 * message at the next start and publishes the same event id (its message key) again: consumers
 * take an event id once, so nothing is lost nor doubled. Kafka down: nothing moves, the inbox is
 * read again later. Waits in IDLE for new mail, searching the inbox anyway every `pollMs`; the
 * server gone, reconnects with a backoff, for ever.
 */
export class MailboxReader {
  private client?: ImapFlow;
  private open = false;
  private stopped = false;
  private poked = false;
  private wake?: () => void;
  private running?: Promise<void>;
  private readonly rate: SenderRate;
  private readonly published = new Set<string>();

  readonly readiness: ReadinessCheck = {
    name: 'imap',
    check: async () => {
      if (!this.open || !this.client?.usable) throw new Error('not connected to the support mailbox');
    },
  };

  constructor(
    private readonly settings: ReaderSettings,
    private readonly publisher: EventPublisher,
    private readonly logger: Logger,
  ) {
    this.rate = new SenderRate(settings.ratePerHour);
  }

  start(): void {
    readers.add(this);
    this.running ??= this.run();
  }

  /** True once the reader has the mailbox open. */
  get connected(): boolean {
    return this.open && !!this.client?.usable;
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.poke();
    await this.running;
    readers.delete(this);
  }

  private poke(): void {
    this.poked = true;
    this.wake?.();
  }

  /** Waits `ms`, or less when new mail comes, the connection drops or the reader stops. */
  private pause(ms: number): Promise<void> {
    if (this.poked || this.stopped) {
      this.poked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.poked = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private connection(): ImapFlow {
    const log = this.logger.child({ component: 'imapflow' });
    const quiet = () => {};
    const s = this.settings;
    return new ImapFlow({
      host: s.host,
      port: s.port,
      secure: s.tls === 'true',
      // STARTTLS required when asked; never attempted in clear-text mode (the local Dovecot).
      ...(s.tls === 'true' ? {} : { doSTARTTLS: s.tls === 'starttls' }),
      auth: { user: s.user, pass: s.password },
      logger: {
        debug: quiet,
        info: quiet,
        warn: (o: unknown) => log.warn({ imap: summary(o) }, 'imap warning'),
        error: (o: unknown) => log.error({ imap: summary(o) }, 'imap error'),
      },
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 5 * 60_000,
      // IDLE as soon as the inbox is drained (imapflow waits 15 s by default: 15 s of lag per
      // message), restarted this often (some servers drop an IDLE that lasts).
      autoIdleDelay: 200,
      maxIdleTime: 5 * 60_000,
    });
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const client = this.connection();
      this.client = client;
      client.on('error', (err: Error) =>
        this.logger.warn({ err: { message: err.message } }, 'support mailbox connection error'),
      );
      client.on('close', () => {
        this.open = false;
        this.poke();
      });
      client.on('exists', () => {
        this.logger.debug('new mail in the mailbox');
        this.poke();
      });
      try {
        await client.connect();
        await client.mailboxOpen(this.settings.mailbox);
        this.open = true;
        if (failures > 0) this.logger.info({ failures }, 'support mailbox reached again');
        failures = 0;
        while (!this.stopped && client.usable) {
          this.poked = false;
          const drained = await this.drain(client);
          await this.pause(drained === 'retry' ? Math.min(5_000, this.settings.pollMs) : this.settings.pollMs);
        }
      } catch (err) {
        if (!this.stopped) {
          this.logger.warn({ err: { message: (err as Error).message } }, 'support mailbox unreachable; retrying');
        }
      } finally {
        this.open = false;
        await client.logout().catch(() => client.close());
      }
      if (this.stopped) break;
      const wait = Math.min(1_000 * 2 ** Math.min(failures, 10), this.settings.reconnectMaxMs);
      failures++;
      await this.pause(wait);
    }
  }

  /** Every message of the inbox, oldest first; stops at the first that could not be published. */
  private async drain(client: ImapFlow): Promise<Drained> {
    const uids = ((await client.search({ all: true }, { uid: true })) || []).sort((a, b) => a - b);
    this.logger.debug({ messages: uids.length }, 'reading the mailbox');
    for (const uid of uids) {
      if (this.stopped || !client.usable) return 'done';
      if ((await this.handle(client, uid)) === 'retry') return 'retry';
    }
    return 'done';
  }

  private async move(client: ImapFlow, uid: number, folder: string): Promise<void> {
    // A message another copy of the reader moved first is no longer here: nothing to do.
    await client.messageMove(String(uid), folder, { uid: true });
  }

  private async refuse(client: ImapFlow, uid: number, reason: Refusal, messageKey?: string): Promise<void> {
    await this.move(client, uid, this.settings.folders.refused);
    inboundMessages.inc({ outcome: 'refused', reason });
    this.logger.warn({ uid, messageKey, reason, folder: this.settings.folders.refused }, 'message refused');
  }

  private async handle(client: ImapFlow, uid: number): Promise<Drained> {
    const head = await client.fetchOne(String(uid), { uid: true, size: true }, { uid: true });
    if (!head) return 'done'; // moved meanwhile (another copy of the reader)
    if ((head.size ?? 0) > MAIL_MESSAGE_MAX_BYTES) {
      await this.refuse(client, uid, 'oversized');
      return 'done';
    }
    const message = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
    if (!message || !message.source) return 'done';
    const read = await readMessage(message.source, {
      supportAddress: this.settings.supportAddress,
      ownAddresses: [this.settings.user],
      keys: this.settings.keys,
    });
    if (read.kind === 'refused') {
      await this.refuse(client, uid, read.reason, read.messageKey);
      return 'done';
    }
    const mail = read.mail;
    const now = Date.now();
    if (this.rate.over(mail.from.address, mail.messageKey, now)) {
      await this.move(client, uid, this.settings.folders.held);
      inboundMessages.inc({ outcome: 'held', reason: 'rate' });
      this.logger.warn(
        { uid, messageKey: mail.messageKey, reason: 'rate', folder: this.settings.folders.held },
        'message held',
      );
      return 'done';
    }
    this.logger.debug({ uid, messageKey: mail.messageKey }, 'publishing');
    if (!this.published.has(mail.messageKey)) {
      const event = makeEvent({
        id: mailEventId(mail.messageKey),
        source: 'woop/inbound',
        type: MAIL_RECEIVED,
        subject: mail.messageKey,
        data: mail,
      });
      try {
        await this.publisher.publish(TOPICS.mail.name, [event]);
      } catch (err) {
        if (tooLarge(err)) {
          await this.refuse(client, uid, 'oversized', mail.messageKey);
          return 'done';
        }
        this.logger.warn(
          { uid, messageKey: mail.messageKey, err: { message: (err as Error).message } },
          'could not publish a message; it stays in the inbox and is read again',
        );
        return 'retry';
      }
      this.published.add(mail.messageKey);
      if (this.published.size > RECENT_KEYS) this.published.delete(this.published.values().next().value!);
      await this.settings.afterPublish?.(mail);
    }
    this.rate.record(mail.from.address, mail.messageKey, now);
    await this.move(client, uid, this.settings.folders.processed);
    const reason = mail.reply ? 'reply' : 'new';
    inboundMessages.inc({ outcome: 'accepted', reason });
    this.logger.info(
      { uid, messageKey: mail.messageKey, eventId: mailEventId(mail.messageKey), reason },
      'message published',
    );
    return 'done';
  }
}

/** What imapflow logs, without what a message or a login could put in it. */
function summary(o: unknown): Record<string, unknown> {
  if (!o || typeof o !== 'object') return { msg: String(o) };
  const { msg, err, code, cid } = o as { msg?: unknown; err?: { message?: unknown }; code?: unknown; cid?: unknown };
  return { msg, code, cid, ...(typeof err?.message === 'string' ? { err: err.message } : {}) };
}

function tooLarge(err: unknown): boolean {
  for (let e = err as { type?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.type === 'MESSAGE_TOO_LARGE' || e.type === 'RECORD_LIST_TOO_LARGE') return true;
  }
  return false;
}
