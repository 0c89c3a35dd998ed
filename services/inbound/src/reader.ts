import {
  MAIL_MESSAGE_MAX_BYTES,
  MAIL_RECEIVED,
  mailEventId,
  mailEventSubject,
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
/** Messages read, published and moved together, and the most of their bytes fetched at once. */
const BATCH = 25;
const BATCH_BYTES = 20 * 1024 * 1024;

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
  private reconnecting = false;
  private wake?: () => void;
  private running?: Promise<void>;
  private readonly rate: SenderRate;
  private readonly published = new Set<string>();
  /** BATCH, or 1 after a publication failed (so one message too large for the topic is found). */
  private batchSize = BATCH;

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
      // Events of a connection given up (a failed connect closes too) wake nothing.
      const current = () => this.client === client && !this.reconnecting;
      client.on('close', () => {
        if (!current()) return;
        this.open = false;
        this.poke();
      });
      client.on('exists', () => {
        if (!current()) return;
        this.logger.debug('new mail in the mailbox');
        this.poke();
      });
      try {
        await client.connect();
        await this.ensureFolders(client);
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
      // The backoff is waited out whatever the dead connection said (it closed: a poke); only
      // close() ends it early.
      this.reconnecting = true;
      this.poked = false;
      await this.pause(wait);
      this.reconnecting = false;
    }
  }

  /** Processed, Refused and Held, made when the mailbox has none (a new mailbox at a provider). */
  private async ensureFolders(client: ImapFlow): Promise<void> {
    const existing = new Set((await client.list()).map((m) => m.path));
    for (const folder of Object.values(this.settings.folders)) {
      if (existing.has(folder)) continue;
      await client.mailboxCreate(folder);
      this.logger.info({ folder }, 'folder created in the support mailbox');
    }
  }

  /**
   * Every message of the inbox, oldest first, in batches (one FETCH of the sizes, one of the
   * sources, one publication, one MOVE per folder); stops at the first batch whose events could
   * not be published.
   */
  private async drain(client: ImapFlow): Promise<Drained> {
    const uids = ((await client.search({ all: true }, { uid: true })) || []).sort((a, b) => a - b);
    this.logger.debug({ messages: uids.length }, 'reading the mailbox');
    for (let i = 0; i < uids.length;) {
      if (this.stopped || !client.usable) return 'done';
      const batch = uids.slice(i, i + this.batchSize);
      if ((await this.batch(client, batch)) === 'retry') return 'retry';
      i += batch.length;
    }
    return 'done';
  }

  /** The messages of `uids` still in the inbox, their sources fetched within BATCH_BYTES at a time. */
  private async *sources(
    client: ImapFlow,
    uids: number[],
  ): AsyncGenerator<{ uid: number; source?: Buffer; size: number }> {
    const sizes = new Map<number, number>();
    for await (const m of client.fetch(uids.join(','), { uid: true, size: true }, { uid: true })) {
      sizes.set(m.uid, m.size ?? 0);
    }
    let group: number[] = [];
    let bytes = 0;
    const flush = async function* (this: MailboxReader) {
      if (group.length === 0) return;
      const got = new Map<number, Buffer>();
      for await (const m of client.fetch(group.join(','), { uid: true, source: true }, { uid: true })) {
        if (m.source) got.set(m.uid, m.source);
      }
      for (const uid of group) {
        const source = got.get(uid);
        if (source) yield { uid, source, size: source.length };
      }
      group = [];
      bytes = 0;
    };
    for (const uid of uids) {
      const size = sizes.get(uid);
      if (size === undefined) continue; // moved meanwhile (another copy of the reader)
      if (size > MAIL_MESSAGE_MAX_BYTES) {
        yield { uid, size }; // refused unread
        continue;
      }
      if (group.length > 0 && bytes + size > BATCH_BYTES) yield* flush.call(this);
      group.push(uid);
      bytes += size;
    }
    yield* flush.call(this);
  }

  private async batch(client: ImapFlow, uids: number[]): Promise<Drained> {
    const moves = new Map<string, number[]>();
    const moveLater = (folder: string, uid: number) => moves.set(folder, [...(moves.get(folder) ?? []), uid]);
    const refusals: Array<{ uid: number; reason: Refusal; messageKey?: string }> = [];
    const held: Array<{ uid: number; messageKey: string }> = [];
    const accepted: Array<{ uid: number; mail: MailReceived }> = [];
    const now = Date.now();
    // Sources first (imapflow runs no other command inside a FETCH), then the rest.
    const read: Array<{ uid: number; source?: Buffer }> = [];
    for await (const m of this.sources(client, uids)) read.push(m);
    for (const { uid, source } of read) {
      if (!source) {
        refusals.push({ uid, reason: 'oversized' });
        continue;
      }
      const r = await readMessage(source, {
        supportAddress: this.settings.supportAddress,
        ownAddresses: [this.settings.user],
        keys: this.settings.keys,
      });
      if (r.kind === 'refused') {
        refusals.push({ uid, reason: r.reason, messageKey: r.messageKey });
      } else if (this.rate.over(r.mail.from.address, r.mail.messageKey, now)) {
        held.push({ uid, messageKey: r.mail.messageKey });
      } else {
        this.rate.record(r.mail.from.address, r.mail.messageKey, now);
        accepted.push({ uid, mail: r.mail });
      }
    }
    for (const { uid } of refusals) moveLater(this.settings.folders.refused, uid);
    for (const { uid } of held) moveLater(this.settings.folders.held, uid);
    // Published, THEN moved: a crash between the two re-reads them and publishes the same ids.
    // One event per message key: a message appended twice in one batch is one event too.
    const keys = new Set<string>();
    const events = accepted
      .filter(
        ({ mail }) => !this.published.has(mail.messageKey) && !keys.has(mail.messageKey) && keys.add(mail.messageKey),
      )
      .map(({ mail }) =>
        makeEvent({
          id: mailEventId(mail.messageKey),
          source: 'woop/inbound',
          type: MAIL_RECEIVED,
          subject: mailEventSubject(mail),
          data: mail,
        }),
      );
    let publishedAll = true;
    try {
      await this.publisher.publish(TOPICS.mail.name, events);
    } catch (err) {
      publishedAll = false;
      if (tooLarge(err) && events.length === 1) {
        refusals.push({ uid: accepted[0]!.uid, reason: 'oversized', messageKey: accepted[0]!.mail.messageKey });
        moveLater(this.settings.folders.refused, accepted[0]!.uid);
        accepted.length = 0;
        publishedAll = true;
      } else {
        this.logger.warn(
          { messages: accepted.length, err: { message: (err as Error).message } },
          'could not publish messages; they stay in the inbox and are read again',
        );
        // One at a time next time: a message too large for the topic is then told apart.
        this.batchSize = 1;
      }
    }
    if (publishedAll) {
      for (const { mail } of accepted) {
        this.published.add(mail.messageKey);
        if (this.published.size > RECENT_KEYS) this.published.delete(this.published.values().next().value!);
        await this.settings.afterPublish?.(mail);
      }
      for (const { uid } of accepted) moveLater(this.settings.folders.processed, uid);
    }
    for (const [folder, list] of moves) {
      // A message another copy of the reader moved first is no longer here: nothing to do.
      await client.messageMove(list.join(','), folder, { uid: true });
    }
    for (const { uid, reason, messageKey } of refusals) {
      inboundMessages.inc({ outcome: 'refused', reason });
      this.logger.warn({ uid, messageKey, reason, folder: this.settings.folders.refused }, 'message refused');
    }
    for (const { uid, messageKey } of held) {
      inboundMessages.inc({ outcome: 'held', reason: 'rate' });
      this.logger.warn({ uid, messageKey, reason: 'rate', folder: this.settings.folders.held }, 'message held');
    }
    if (!publishedAll) return 'retry';
    this.batchSize = BATCH;
    for (const { uid, mail } of accepted) {
      const reason = mail.reply ? 'reply' : 'new';
      inboundMessages.inc({ outcome: 'accepted', reason });
      this.logger.info(
        { uid, messageKey: mail.messageKey, eventId: mailEventId(mail.messageKey), reason },
        'message published',
      );
    }
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
