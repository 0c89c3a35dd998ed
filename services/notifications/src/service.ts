import express from 'express';
import {
  agentEmailsBody,
  deliveryQuery,
  linkSealContext,
  preferenceBody,
  TOPICS,
  type EventEnvelope,
} from '@woop/contracts';
import {
  connectMongo,
  createEventPublisher,
  createKafka,
  csatLinkToken,
  createSmtp,
  kafkaReadiness,
  keepConsuming,
  readEvent,
  tombstoneKey,
  parseInput,
  watchConsumerLag,
  requireIdentity,
  unseal,
  type Logger,
  type ServiceParts,
} from '@woop/service-kit';
import type { NotificationsConfig } from './config';
import { Dispatcher } from './dispatcher';
import { problem } from './problems';
import { planEventEmails, type PlanContext } from './recipients';
import { awaitingRecipients, retryWindowMs } from './awaiting';
import {
  agentEmailsPreferenceId,
  applyUserEvent,
  DeliveryKeys,
  findRecipient,
  findTeamAgents,
  notificationModels,
  visibleDeliveries,
} from './store';
import { createRenderer } from './templates';
import { mailAnswers } from './mail';

/**
 * Kafka user.* and ticket.* events → handlebars emails over SMTP, once per event and recipient.
 * Also the delivery log, the per-ticket notification preference and agents' on/off switch for
 * their own emails, over HTTP.
 */
export function notificationsService(config: NotificationsConfig, logger: Logger, opts: { consume?: boolean } = {}) {
  const mongo = connectMongo(config.MONGODB_URI, config.MONGODB_DB, logger);
  const models = notificationModels(mongo.connection);
  const kafka = createKafka('notifications', config.KAFKA_BROKERS, logger);
  const deadLetters = createEventPublisher(kafka);
  const smtp = createSmtp(config.SMTP_URL);
  const keys = new DeliveryKeys(config.LINK_SEALING_KEY, config.LINK_SEALING_PREVIOUS_KEYS);
  const dispatcher = new Dispatcher(models, smtp.transport, createRenderer(), deadLetters, logger, {
    from: config.MAIL_FROM,
    maxAttempts: config.NOTIFICATIONS_MAX_ATTEMPTS,
    backoffMs: config.NOTIFICATIONS_BACKOFF_MS,
    claimLeaseMs: config.NOTIFICATIONS_CLAIM_LEASE_MS,
    keys,
    reply: { key: config.MAIL_REPLY_KEY, supportAddress: config.MAIL_SUPPORT_ADDRESS },
  });
  const ctx: PlanContext = {
    portalUrl: config.PORTAL_URL,
    recipient: (id) => findRecipient(models, id),
    wantsEmails: async (userId, reference) =>
      (await models.Preference.findById(`${userId}:${reference}`).lean())?.enabled ?? true,
    teamAgents: (team) => findTeamAgents(models, team),
    wantsAgentEmails: async (userId) =>
      (await models.Preference.findById(agentEmailsPreferenceId(userId)).lean())?.enabled ?? true,
    teamAddress: (team) => config.TEAM_EMAILS[team],
    linkTtl: { signupMinutes: 30, inviteDays: 3 },
    csatToken: (claims) => csatLinkToken(config.MAIL_REPLY_KEY, claims),
    openLink: (type, address, sealedLink) =>
      unseal(
        sealedLink,
        [config.LINK_SEALING_KEY, ...config.LINK_SEALING_PREVIOUS_KEYS],
        linkSealContext(type, address),
      ),
    unreadable: (event, err) =>
      logger.error({ err, eventId: event.id, type: event.type }, 'event outside its contract: no email'),
  };

  const awaiting = awaitingRecipients({
    models,
    keys,
    dispatcher,
    logger,
    plan: (event) => planEventEmails(event, ctx),
    retry: { maxAttempts: config.NOTIFICATIONS_MAX_ATTEMPTS, backoffMs: config.NOTIFICATIONS_BACKOFF_MS },
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
  const lag =
    opts.consume === false
      ? { close: async () => {} }
      : watchConsumerLag(kafka, config.NOTIFICATIONS_GROUP_ID, consumed, logger);
  const prepared = (async () => {
    await mongo.connected;
    await Promise.all(Object.values(models).map((m) => m.init()));
  })();
  prepared.catch((err) => logger.error({ err }, 'could not prepare the notifications database'));
  // Kept running: a Kafka that is down at start or a crashed consumer is retried, and /readyz
  // says "down" meanwhile instead of "ready" with no email going out.
  const consumer =
    opts.consume === false
      ? undefined
      : keepConsuming(kafka, {
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
        });
  // The email channel (mail.ts): an unknown sender's message to the support address is
  // answered with how to create an account. Its own group; attachments travel in the events, so
  // fetches take 25 MB and more.
  // Emails still waiting for their recipient after the retry policy's time go to the dead letters.
  const retryWindow = retryWindowMs({
    maxAttempts: config.NOTIFICATIONS_MAX_ATTEMPTS,
    backoffMs: config.NOTIFICATIONS_BACKOFF_MS,
  });
  const sweeping =
    opts.consume === false
      ? undefined
      : setInterval(
          () =>
            void prepared
              .then(() => awaiting.sweep())
              .catch((err) => logger.error({ err }, 'could not sweep the emails waiting for their recipient')),
          Math.min(30_000, Math.max(1_000, Math.round(retryWindow / 2))),
        );
  sweeping?.unref();
  const answers = mailAnswers({ models, keys, dispatcher, logger, portalUrl: config.PORTAL_URL });
  const mailConsumer =
    opts.consume === false
      ? undefined
      : keepConsuming(kafka, {
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
        });
  const joined = consumer ? Promise.all([consumer.joined, mailConsumer?.joined]).then(() => undefined) : prepared;
  const started = prepared;

  const caller = (req: express.Request) => requireIdentity(req, config.INTERNAL_AUTH_SECRET);
  const parts: ServiceParts = {
    readiness: [
      mongo.readiness,
      kafkaReadiness('notifications', config.KAFKA_BROKERS, logger),
      smtp.readiness,
      ...(consumer ? [consumer.readiness] : []),
      ...(mailConsumer ? [mailConsumer.readiness] : []),
    ],
    routes: (app) => {
      const r = express.Router();
      r.use(express.json({ limit: '4kb' }));
      // The delivery log: what was sent to whom, when, for which event (agents and admins), of
      // the tickets the caller may see.
      r.get('/deliveries', async (req, res) => {
        const who = caller(req);
        if (who.role === 'customer') throw problem('forbidden', 'Agents only.');
        const q = parseInput(deliveryQuery, req.query, 'query');
        const filter = {
          ...(q.eventId ? { eventId: q.eventId } : {}),
          ...(q.reference ? { reference: q.reference } : {}),
          ...(q.address ? { address: q.address.toLowerCase() } : {}),
          ...visibleDeliveries(who),
        };
        const items = await models.Delivery.find(filter).sort({ createdAt: -1 }).limit(q.limit).lean();
        res.json({ items });
      });
      // "Notifications activées" on a request page, for the caller.
      r.put('/preferences/tickets/:reference', async (req, res) => {
        const who = caller(req);
        const { enabled } = parseInput(preferenceBody, req.body);
        const reference = String(req.params.reference);
        await models.Preference.updateOne(
          { _id: `${who.userId}:${reference}` },
          { $set: { userId: who.userId, reference, enabled } },
          { upsert: true },
        );
        res.json({ reference, enabled });
      });
      r.get('/preferences/tickets/:reference', async (req, res) => {
        const who = caller(req);
        const reference = String(req.params.reference);
        res.json({ reference, enabled: await ctx.wantsEmails(who.userId, reference) });
      });
      // The agents' emails (new requests of their teams, customers' moves on their tickets), for the caller.
      const agentOnly = (req: express.Request) => {
        const who = caller(req);
        if (who.role === 'customer') throw problem('forbidden', 'Agents only.');
        return who;
      };
      r.get('/preferences/agent-emails', async (req, res) => {
        res.json({ enabled: await ctx.wantsAgentEmails(agentOnly(req).userId) });
      });
      r.put('/preferences/agent-emails', async (req, res) => {
        const who = agentOnly(req);
        const { enabled } = parseInput(agentEmailsBody, req.body);
        await models.Preference.updateOne(
          { _id: agentEmailsPreferenceId(who.userId) },
          { $set: { userId: who.userId, enabled } },
          { upsert: true },
        );
        res.json({ enabled });
      });
      app.use('/v1', r);
    },
    // Both consumers closed together: one that is still joining its group (a fresh start) may
    // take seconds to leave it, and two in a row went past the shutdown's 10 s (exit 1).
    closeables: [
      { close: async () => void (await Promise.all([consumer?.close(), mailConsumer?.close()])) },
      { close: async () => clearInterval(sweeping) },
      lag,
      deadLetters,
      smtp,
      mongo,
    ],
  };
  return { parts, models, handle, awaiting, joined, started, mongo };
}
