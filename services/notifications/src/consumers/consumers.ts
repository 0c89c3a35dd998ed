import { TOPICS, type EventEnvelope } from '@woop/contracts';
import {
  keepConsuming,
  readEvent,
  tombstoneKey,
  watchConsumerLag,
  type Closeable,
  type EventPublisher,
  type Logger,
  type ReadinessCheck,
  type SmtpHandle,
  type createKafka,
} from '@woop/service-kit';
import type { NotificationsConfig } from '../config';
import { applyUserEvent } from '../model/directory';
import type { DeliveryKeys, NotificationModels } from '../model/store';
import { awaitingRecipients, retryWindowMs } from './awaiting';
import { planEventEmails } from './emails/plan';
import { mailAnswers } from './mail-answers';
import { Dispatcher } from './mail/dispatcher';
import { createRenderer } from './mail/templates';
import { planContext } from './plan-context';

export interface ConsumerDeps {
  config: NotificationsConfig;
  logger: Logger;
  kafka: ReturnType<typeof createKafka>;
  models: NotificationModels;
  keys: DeliveryKeys;
  smtp: SmtpHandle['transport'];
  deadLetters: EventPublisher;
  /** The database ready (connected, indexes built): the consumers start after it. */
  prepared: Promise<void>;
  /** false: no consumer runs (the retry command, tests calling `handle`). */
  consume: boolean;
}

/**
 * Kafka user.* and ticket.* events → handlebars emails over SMTP, once per event and recipient;
 * and the email channel's `mail.received` (`mail-answers.ts`), in a group of its own.
 */
export function notificationConsumers({
  config,
  logger,
  kafka,
  models,
  keys,
  smtp,
  deadLetters,
  prepared,
  consume,
}: ConsumerDeps) {
  const dispatcher = new Dispatcher(models, smtp, createRenderer(), deadLetters, logger, {
    from: config.MAIL_FROM,
    maxAttempts: config.NOTIFICATIONS_MAX_ATTEMPTS,
    backoffMs: config.NOTIFICATIONS_BACKOFF_MS,
    claimLeaseMs: config.NOTIFICATIONS_CLAIM_LEASE_MS,
    keys,
    reply: { key: config.MAIL_REPLY_KEY, supportAddress: config.MAIL_SUPPORT_ADDRESS },
  });
  const ctx = planContext(config, models, logger);
  const retry = { maxAttempts: config.NOTIFICATIONS_MAX_ATTEMPTS, backoffMs: config.NOTIFICATIONS_BACKOFF_MS };
  const awaiting = awaitingRecipients({
    models,
    keys,
    dispatcher,
    logger,
    plan: (event) => planEventEmails(event, ctx),
    retry,
  });

  /**
   * Handles one event: keeps the people copy current, then sends its emails; those for people
   * not known yet wait for them (`awaiting.ts`), and a person's user event sends what waited.
   */
  async function handle(event: EventEnvelope, heartbeat: () => Promise<void> = async () => {}, onlyRecipient?: string) {
    if (event.type.startsWith('user.')) await applyUserEvent(models, event.type, event.data, keys);
    let { emails, awaiting: unknown } = await planEventEmails(event, ctx);
    if (onlyRecipient) {
      emails = emails.filter((p) => keys.names(onlyRecipient, p.key));
      unknown = unknown.filter((a) => keys.names(onlyRecipient, a.key));
    }
    await dispatcher.dispatch(event, emails, heartbeat);
    if (onlyRecipient)
      await awaiting.sent(
        event,
        emails.map((p) => p.key),
      );
    await awaiting.wait(event, unknown, heartbeat);
    const user = (event.data as { user?: { userId?: unknown } }).user;
    if (event.type.startsWith('user.') && typeof user?.userId === 'string')
      await awaiting.release(user.userId, heartbeat);
  }

  const consumed = [TOPICS.users.name, TOPICS.tickets.name];
  // The retry command (consume: false) reads the dead letters only: no lag of the main group.
  const lag: Closeable = consume
    ? watchConsumerLag(kafka, config.NOTIFICATIONS_GROUP_ID, consumed, logger)
    : { close: async () => {} };
  // Kept running: a Kafka that is down at start or a crashed consumer is retried, and /readyz
  // says "down" meanwhile instead of "ready" with no email going out.
  const consumer = consume
    ? keepConsuming(kafka, {
        name: 'notifications',
        groupId: config.NOTIFICATIONS_GROUP_ID,
        logger,
        before: () => prepared,
        subscribe: {
          topics: consumed,
          fromBeginning: config.NOTIFICATIONS_FROM_BEGINNING,
        },
        run: {
          partitionsConsumedConcurrently: config.NOTIFICATIONS_CONCURRENCY,
          eachMessage: async (payload) => {
            // A tombstone (identity's erasure, compacted users topic) erases the person too.
            const erased = tombstoneKey(payload.message);
            if (erased) return await applyUserEvent(models, 'user.erased', { userId: erased }, keys);
            const event = readEvent(payload.message, logger);
            if (!event) return;
            await handle(event, () => payload.heartbeat());
          },
        },
      })
    : undefined;
  // Emails still waiting for their recipient after the retry policy's time go to the dead letters.
  const retryWindow = retryWindowMs(retry);
  const sweeping = consume
    ? setInterval(
        () =>
          void prepared
            .then(() => awaiting.sweep())
            .catch((err) => logger.error({ err }, 'could not sweep the emails waiting for their recipient')),
        Math.min(30_000, Math.max(1_000, Math.round(retryWindow / 2))),
      )
    : undefined;
  sweeping?.unref();
  // The email channel (mail-answers.ts): an unknown sender's message to the support address is
  // answered with how to create an account. Its own group; attachments travel in the events, so
  // fetches take 25 MB and more.
  const answers = mailAnswers({ models, keys, dispatcher, logger, portalUrl: config.PORTAL_URL });
  const mailConsumer = consume
    ? keepConsuming(kafka, {
        name: 'notifications-mail',
        groupId: `${config.NOTIFICATIONS_GROUP_ID}-mail`,
        logger,
        before: () => prepared,
        consumer: { maxBytesPerPartition: 32 * 1024 * 1024, maxBytes: 64 * 1024 * 1024 },
        subscribe: { topics: [TOPICS.mail.name], fromBeginning: config.NOTIFICATIONS_FROM_BEGINNING },
        run: {
          eachMessage: async (payload) => {
            const event = readEvent(payload.message, logger);
            if (event) await answers.handle(event, () => payload.heartbeat());
          },
        },
      })
    : undefined;

  const readiness: ReadinessCheck[] = [
    ...(consumer ? [consumer.readiness] : []),
    ...(mailConsumer ? [mailConsumer.readiness] : []),
  ];
  return {
    handle,
    awaiting,
    readiness,
    /** Both consumers in their groups (or, not consuming, the database ready). */
    joined: consumer ? Promise.all([consumer.joined, mailConsumer?.joined]).then(() => undefined) : prepared,
    closeables: [
      // Both consumers closed together: one that is still joining its group (a fresh start) may
      // take seconds to leave it, and two in a row went past the shutdown's 10 s (exit 1).
      { close: async () => void (await Promise.all([consumer?.close(), mailConsumer?.close()])) },
      { close: async () => clearInterval(sweeping) },
      lag,
    ] satisfies Closeable[],
  };
}
