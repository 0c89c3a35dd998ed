import {
  connectMongo,
  createEventPublisher,
  createKafka,
  createSmtp,
  kafkaReadiness,
  type Logger,
  type ServiceParts,
} from '@woop/service-kit';
import { notificationRoutes } from './api/routes';
import type { NotificationsConfig } from './config';
import { notificationConsumers } from './consumers/consumers';
import { DeliveryKeys, notificationModels } from './model/store';

/**
 * The notifications service's wiring: its database (`model/`), its Kafka consumers, which turn
 * events into emails (`consumers/`), and its HTTP API (`api/`): the delivery log, the
 * per-ticket notification preference and agents' on/off switch for their own emails.
 */
export function notificationsService(config: NotificationsConfig, logger: Logger, opts: { consume?: boolean } = {}) {
  const mongo = connectMongo(config.MONGODB_URI, config.MONGODB_DB, logger);
  const models = notificationModels(mongo.connection);
  const kafka = createKafka('notifications', config.KAFKA_BROKERS, logger);
  const deadLetters = createEventPublisher(kafka);
  const smtp = createSmtp(config.SMTP_URL);
  const keys = new DeliveryKeys(config.LINK_SEALING_KEY, config.LINK_SEALING_PREVIOUS_KEYS);
  const prepared = (async () => {
    await mongo.connected;
    await Promise.all(Object.values(models).map((m) => m.init()));
  })();
  prepared.catch((err) => logger.error({ err }, 'could not prepare the notifications database'));
  const consumers = notificationConsumers({
    config,
    logger,
    kafka,
    models,
    keys,
    smtp: smtp.transport,
    deadLetters,
    prepared,
    consume: opts.consume !== false,
  });

  const parts: ServiceParts = {
    readiness: [
      mongo.readiness,
      kafkaReadiness('notifications', config.KAFKA_BROKERS, logger),
      smtp.readiness,
      ...consumers.readiness,
    ],
    routes: notificationRoutes(models, config.INTERNAL_AUTH_SECRET),
    closeables: [...consumers.closeables, deadLetters, smtp, mongo],
  };
  const { handle, awaiting, joined } = consumers;
  return { parts, models, handle, awaiting, joined, started: prepared, mongo };
}
