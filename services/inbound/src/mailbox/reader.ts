import { metricsRegistry, type EventPublisher, type Logger, type ReadinessCheck } from '@woop/service-kit';
import { ImapFlow } from 'imapflow';
import { Gauge } from 'prom-client';
import { MailBatches, type Drained } from './batch';
import type { ReaderSettings } from './settings';

export type { ReaderSettings } from './settings';

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

/**
 * Reads the support mailbox: every message of the inbox, oldest first, in batches (`MailBatches`:
 * refused, held or published then moved to Processed, nothing lost nor doubled). Waits in IDLE
 * for new mail, searching the inbox anyway every `pollMs`; the server gone, reconnects with a
 * backoff, for ever.
 */
export class MailboxReader {
  private client?: ImapFlow;
  private open = false;
  private stopped = false;
  private poked = false;
  private reconnecting = false;
  private wake?: () => void;
  private running?: Promise<void>;
  private readonly batches: MailBatches;

  readonly readiness: ReadinessCheck = {
    name: 'imap',
    check: async () => {
      if (!this.open || !this.client?.usable) throw new Error('not connected to the support mailbox');
    },
  };

  constructor(
    private readonly settings: ReaderSettings,
    publisher: EventPublisher,
    private readonly logger: Logger,
  ) {
    this.batches = new MailBatches(settings, publisher, logger);
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
      const batch = uids.slice(i, i + this.batches.size);
      if ((await this.batches.run(client, batch)) === 'retry') return 'retry';
      i += batch.length;
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
