import { parseEvent, type EventEnvelope } from '@woop/contracts';
import { counter, isDuplicateKey, type Logger } from '@woop/service-kit';
import type { Dispatcher } from './mail/dispatcher';
import type { AwaitedRecipient, EmailPlan } from './emails/plan';
import type { DeliveryKeys, NotificationModels } from '../model/store';

/**
 * Emails whose recipient the directory does not know yet. Identity's user.* events and the
 * tickets' events travel on different topics, in no order between them: a person who signs up
 * and files a request at once may have their `ticket.created` read before their `user.created`.
 * Their email is neither sent nor dropped:
 *
 * - parked at once (a row in `awaiting_recipients`) after the event's other emails went out.
 *   Waiting in the consumer would hold more than its partition: kafkajs fetches a broker's
 *   partitions again only once every batch of the last fetch is done, so the user event that
 *   would end the wait is not even read meanwhile;
 * - sent when the person's user.* event arrives (or a replay of the dead letters finds them),
 *   once: the delivery log's row per event and recipient, as for any email;
 * - still waiting after the SMTP retry policy's time (`NOTIFICATIONS_MAX_ATTEMPTS` tries, waits
 *   doubling from `NOTIFICATIONS_BACKOFF_MS`, at most 30 s: about 2.5 min), parked on the
 *   dead-letter topic as well (`sweep`), counted and alerted on as an email SMTP gave up on.
 *
 * An erased person is a tombstone in the directory, not unknown: never waited for.
 */

const parkedForRecipient = counter(
  'woop_emails_awaiting_recipient_total',
  'Emails parked because their recipient was not known to notifications yet',
  ['template'],
);

export interface AwaitingDeps {
  models: NotificationModels;
  keys: DeliveryKeys;
  dispatcher: Pick<Dispatcher, 'dispatch' | 'deadLetter'>;
  logger: Logger;
  /** Plans an event's emails (reading the directory as it is now). */
  plan: (event: EventEnvelope) => Promise<EmailPlan>;
  /** The SMTP tries' policy (`DispatchOptions`): how long before an email is dead-lettered. */
  retry: { maxAttempts: number; backoffMs: number };
}

type Heartbeat = () => Promise<void>;

/** How long the SMTP tries of one email take at most: the waits between its tries. */
export function retryWindowMs({ maxAttempts, backoffMs }: AwaitingDeps['retry']): number {
  let total = 0;
  for (let attempt = 1; attempt < maxAttempts; attempt++) total += Math.min(30_000, backoffMs * 2 ** (attempt - 1));
  return total;
}

export function awaitingRecipients({ models, keys, dispatcher, logger, plan, retry }: AwaitingDeps) {
  /** Parks one recipient's email; an event delivered again finds it parked and adds nothing. */
  async function park(event: EventEnvelope, a: AwaitedRecipient): Promise<void> {
    try {
      await models.Awaiting.create({
        _id: keys.id(event.id, a.key),
        userId: a.userId,
        key: a.key,
        template: a.template,
        eventId: event.id,
        eventType: event.type,
        event: JSON.stringify(event),
      });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return;
    }
    parkedForRecipient.inc({ template: a.template });
    logger.info(
      { eventId: event.id, type: event.type, template: a.template },
      'recipient not known yet: email parked until their user event arrives',
    );
  }

  /** Sends the emails waiting for `userId`, now in the directory (an erased one gets none). */
  async function release(userId: string, heartbeat: Heartbeat): Promise<void> {
    for (const row of await models.Awaiting.find({ userId }).sort({ createdAt: 1 }).lean()) {
      const event = parseEvent(row.event);
      const keep = (k: string) => k === row.key;
      const again = await plan(event);
      if (again.awaiting.some((a) => keep(a.key))) continue; // not known after all (removed since)
      await dispatcher.dispatch(
        event,
        again.emails.filter((e) => keep(e.key)),
        heartbeat,
      );
      await models.Awaiting.deleteOne({ _id: row._id });
      logger.info({ eventId: event.id, type: event.type }, 'parked email released: its recipient is known');
    }
  }

  return {
    /** Parks the emails of `event` whose recipients were unknown. */
    async wait(event: EventEnvelope, awaiting: AwaitedRecipient[], heartbeat: Heartbeat): Promise<void> {
      for (const a of awaiting) await park(event, a);
      // Their user event may have been read between the plan and the row: it found nothing to
      // release then, so this side does (both doing it sends once: the delivery log).
      for (const userId of new Set(awaiting.map((a) => a.userId))) {
        if (await models.Recipient.exists({ _id: userId })) await release(userId, heartbeat);
      }
    },
    release,
    /** A dead letter replayed and sent: its row is done with. */
    async sent(event: EventEnvelope, recipientKeys: string[]): Promise<void> {
      if (recipientKeys.length === 0) return;
      await models.Awaiting.deleteMany({ _id: { $in: recipientKeys.map((k) => keys.id(event.id, k)) } });
    },
    /**
     * Dead-letters the emails still waiting after the retry policy's time, each once (a row is
     * claimed before its dead letter, so copies of the service sweeping at once do not double it).
     */
    async sweep(now = Date.now()): Promise<number> {
      const before = new Date(now - retryWindowMs(retry));
      let parked = 0;
      for (const row of await models.Awaiting.find({ deadLetteredAt: null, createdAt: { $lt: before } }).lean()) {
        const mine = await models.Awaiting.findOneAndUpdate(
          { _id: row._id, deadLetteredAt: null },
          { $set: { deadLetteredAt: new Date(now) } },
        );
        if (!mine) continue;
        await dispatcher.deadLetter(parseEvent(row.event), row, new Error('recipient not known to notifications'));
        logger.error(
          { eventId: row.eventId, type: row.eventType, template: row.template },
          'recipient still unknown after the retry time: email parked on the dead-letter topic too',
        );
        parked++;
      }
      return parked;
    },
  };
}
export type AwaitingRecipients = ReturnType<typeof awaitingRecipients>;
