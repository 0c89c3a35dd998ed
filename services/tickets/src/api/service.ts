import { makeEvent, TOPICS } from '@woop/contracts';
import {
  connectMongo,
  connectTemporal,
  createKafka,
  kafkaReadiness,
  keepConsuming,
  readEvent,
  temporalPayloadCodec,
  tombstoneKey,
  watchConsumerLag,
  type Logger,
  type ServiceParts,
} from '@woop/service-kit';
import type { TicketsConfig } from '../config';
import { ticketsApi } from './routes';
import { applyUserEvent, rewriteTicketsOf } from '../model/people';
import { eraseFromTickets } from './erasure';
import { ticketModels } from '../model/database';
import { ensureReferenceFloor, seedCatalogue } from '../model/store';
import { ensureTicketIndexes } from './queries';
import { TicketWorkflows } from './ticket-client';
import { dropSharesOfMoved, readPersonBefore } from './moved-shares';
import { routeContext } from './context';
import { mailHandler } from './mail';
import { PEOPLE_COLLECTION } from '../model/people';

/** The tickets service's parts, for its main and for tests that run it in-process. */
export function ticketsService(config: TicketsConfig, logger: Logger) {
  const mongo = connectMongo(config.MONGODB_URI, config.MONGODB_DB, logger);
  const models = ticketModels(mongo.connection);
  const temporal = connectTemporal(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE, temporalPayloadCodec(config));
  const workflows = new TicketWorkflows(
    temporal.client,
    config.TICKETS_TASK_QUEUE,
    config.TICKETS_TEMPORAL_TIMEOUT_MS,
    {
      concurrency: config.TICKETS_CREATE_CONCURRENCY,
      queue: config.TICKETS_CREATE_QUEUE,
      waitMs: config.TICKETS_CREATE_WAIT_MS,
    },
  );
  const kafka = kafkaReadiness('tickets', config.KAFKA_BROKERS, logger);
  const ready = mongo.connected.then(async () => {
    await Promise.all([
      models.RequestType.init(),
      models.RequestTypeVersion.init(),
      models.Attachment.init(),
      models.Counter.init(),
      models.Idempotency.init(),
      models.Reference.init(),
    ]);
    await ensureTicketIndexes(mongo.connection.db!);
    // The email channel finds senders by address.
    await mongo.connection.db!.collection(PEOPLE_COLLECTION).createIndex({ email: 1 });
    await seedCatalogue(models);
    await ensureReferenceFloor(models, config.TICKET_REFERENCE_FLOOR);
  });
  ready.catch((err) => logger.error({ err }, 'could not prepare the tickets database'));

  // identity's user.* events: the people directory (names, organisation, erasure).
  // Kept running: a Kafka down at start or a crash is retried with backoff.
  const kafkaClient = createKafka('tickets', config.KAFKA_BROKERS, logger);
  const lag = watchConsumerLag(kafkaClient, config.TICKETS_GROUP_ID, [TOPICS.users.name], logger);
  const consumer = keepConsuming(kafkaClient, {
    name: 'users',
    groupId: config.TICKETS_GROUP_ID,
    logger,
    before: () => ready,
    subscribe: { topics: [TOPICS.users.name], fromBeginning: config.TICKETS_USERS_FROM_BEGINNING },
    run: {
      eachMessage: async ({ message }) => {
        // A tombstone (identity's erasure on the compacted topic) erases too: a consumer that
        // starts after the log cleaner dropped the user.erased event still sees the person go.
        const erasedKey = tombstoneKey(message);
        const event = erasedKey
          ? makeEvent({
              id: `tombstone:${erasedKey}`,
              source: 'woop/identity',
              type: 'user.erased',
              subject: erasedKey,
              time: new Date(Number(message.timestamp)),
              data: { userId: erasedKey, by: 'tombstone' },
            })
          : readEvent(message, logger);
        if (!event) return;
        // A failure here throws: kafkajs retries the message, the offset is not committed.
        const db = mongo.connection.db!;
        const before = await readPersonBefore(db, event);
        const changed = await applyUserEvent(db, event);
        const dropped = await dropSharesOfMoved(db, workflows, event, before, logger);
        if (dropped > 0) logger.info({ userId: event.subject, dropped }, 'shares dropped for a person who moved');
        if (changed?.status === 'erased') {
          await eraseFromTickets(db, workflows, changed, logger);
        } else if (changed) {
          const rewritten = await rewriteTicketsOf(db, changed);
          logger.info({ userId: changed._id, rewritten, type: event.type }, 'tickets rewritten for a person');
        }
      },
    },
  });
  // The email channel's mail.received events (api/mail.ts): replies become comments,
  // answers or information; messages to the support address from customers open requests.
  // Attachments travel in the event (base64, up to 10 MB each): fetches take 25 MB and more.
  const mail = mailHandler(routeContext({ models, workflows, config }), logger);
  const mailConsumer = keepConsuming(kafkaClient, {
    name: 'mail',
    groupId: config.TICKETS_MAIL_GROUP_ID ?? `${config.TICKETS_GROUP_ID}-mail`,
    logger,
    before: () => ready,
    consumer: { maxBytesPerPartition: 32 * 1024 * 1024, maxBytes: 64 * 1024 * 1024 },
    subscribe: {
      topics: [TOPICS.mail.name],
      fromBeginning: config.TICKETS_MAIL_FROM_BEGINNING ?? config.TICKETS_USERS_FROM_BEGINNING,
    },
    run: {
      // The topic's partitions side by side: one request's replies share a partition (they are
      // keyed by it) and stay in order; 200 replies at once took 37 s one partition at a time.
      partitionsConsumedConcurrently: TOPICS.mail.partitions,
      eachMessage: async ({ message }) => {
        const event = readEvent(message, logger);
        // A failure here throws: kafkajs retries the message, the offset is not committed.
        if (event) await mail.handle(event);
      },
    },
  });
  const consuming = Promise.all([consumer.joined, mailConsumer.joined]).then(() => undefined);
  /** Both consumers, closed together (first: a handler in flight may wait on a workflow update). */
  const consumers = { close: async () => void (await Promise.all([consumer.close(), mailConsumer.close()])) };

  const parts: ServiceParts = {
    // Not the users consumer: the API serves without it (names catch up when it joins), and a
    // copy restarted after a crash may wait a rebalance for its group; it logs while it retries.
    readiness: [mongo.readiness, kafka, temporal.readiness],
    routes: ticketsApi({ models, workflows, config }),
    closeables: [consumers, lag, kafka, temporal, mongo],
  };
  return { parts, ready, consuming, models, workflows, mongo };
}
