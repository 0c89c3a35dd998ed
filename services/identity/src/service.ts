import {
  connectMongo,
  ensureLimitIndexes,
  sweepLimits,
  createEventPublisher,
  createKafka,
  kafkaReadiness,
  startOutboxRelay,
  type EventPublisher,
  type Logger,
  type ServiceParts,
} from '@woop/service-kit';
import { Accounts } from './accounts';
import type { IdentityConfig } from './config';
import { Directory } from './directory';
import { createLimits } from './limits';
import { identityModels, sweepExpired } from './model';
import { identityRoutes } from './routes';

/**
 * The identity service's parts, for its main and for tests that run it in-process.
 * `publisher` may be replaced (tests point it at a broker that is down).
 */
export function identityService(config: IdentityConfig, logger: Logger, publisher?: EventPublisher) {
  const mongo = connectMongo(config.MONGODB_URI, config.MONGODB_DB, logger);
  const models = identityModels(mongo.connection);
  const events = publisher ?? createEventPublisher(createKafka('identity', config.KAFKA_BROKERS, logger));
  const relay = startOutboxRelay({
    models: [models.User, models.Organization, models.LinkToken] as never,
    publisher: events,
    logger,
  });
  const accounts = new Accounts(models, config, relay);
  const directory = new Directory(models, accounts, relay);
  const limits = createLimits(mongo.connection, logger, { loginFailuresPerAccount: config.LOGIN_FAILURES_PER_ACCOUNT });
  const kafka = kafkaReadiness('identity', config.KAFKA_BROKERS, logger);

  const ready = mongo.connected.then(async () => {
    await Promise.all(Object.values(models).map((m) => m.init()));
    await ensureLimitIndexes(mongo.connection);
  });
  ready.catch((err) => logger.error({ err }, 'could not create the identity indexes'));
  const sweeper = setInterval(() => {
    void Promise.all([sweepExpired(models), sweepLimits(mongo.connection)]).catch((err) =>
      logger.warn({ err }, 'sweep of expired tokens failed'),
    );
  }, 60_000);
  sweeper.unref();

  const parts: ServiceParts = {
    readiness: [mongo.readiness, kafka],
    routes: identityRoutes({ accounts, directory, limits, internalSecret: config.INTERNAL_AUTH_SECRET }),
    closeables: [{ close: async () => clearInterval(sweeper) }, limits, relay, events, kafka, mongo],
  };
  return { parts, ready, models, accounts, directory, relay, mongo };
}
