import {
  MAIL_MESSAGE_MAX_BYTES,
  MAIL_RECEIVED,
  mailEventId,
  mailEventSubject,
  makeEvent,
  TOPICS,
  type MailReceived,
} from '@woop/contracts';
import { counter, type EventPublisher, type Logger } from '@woop/service-kit';
import type { ImapFlow } from 'imapflow';
import { readMessage, type Refusal } from '../model/message';
import type { ReaderSettings } from './settings';
import { SenderRate } from '../model/sender-rate';

const inboundMessages = counter(
  'woop_inbound_messages_total',
  'Messages read from the support mailbox, by outcome (accepted: published; refused; held: sender over its rate) and reason',
  ['outcome', 'reason'] as const,
);

export type Drained = 'done' | 'retry';

const RECENT_KEYS = 10_000;
/** Messages read, published and moved together, and the most of their bytes fetched at once. */
const BATCH = 25;
const BATCH_BYTES = 20 * 1024 * 1024;

/**
 * The inbox read a batch at a time: each message refused (moved to Refused), held (moved to
 * Held: its sender is over the rate) or published as `mail.received` on TOPICS.mail and THEN moved
 * to Processed. A crash between the two re-reads the message at the next start and publishes the
 * same event id (its message key) again: consumers take an event id once, so nothing is lost nor
 * doubled. Kafka down: nothing moves, the batch is read again later.
 */
export class MailBatches {
  private readonly rate: SenderRate;
  private readonly published = new Set<string>();
  /** BATCH, or 1 after a publication failed (so one message too large for the topic is found). */
  size = BATCH;

  constructor(
    private readonly settings: ReaderSettings,
    private readonly publisher: EventPublisher,
    private readonly logger: Logger,
  ) {
    this.rate = new SenderRate(settings.ratePerHour);
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
    const flush = async function* () {
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
      if (group.length > 0 && bytes + size > BATCH_BYTES) yield* flush();
      group.push(uid);
      bytes += size;
    }
    yield* flush();
  }

  /** Reads, publishes and moves the messages of `uids`: 'retry' when their events could not be published. */
  async run(client: ImapFlow, uids: number[]): Promise<Drained> {
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
        this.size = 1;
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
    this.size = BATCH;
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

function tooLarge(err: unknown): boolean {
  for (let e = err as { type?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.type === 'MESSAGE_TOO_LARGE' || e.type === 'RECORD_LIST_TOO_LARGE') return true;
  }
  return false;
}
