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
import { createLimits } from './api/limits';
import { identityRoutes } from './api/routes';
import type { IdentityConfig } from './config';
import { Accounts } from './model/accounts';
import { ApiTokens } from './model/api-tokens';
import { identityModels, sweepExpired } from './model/database';
import { Links } from './model/links';
import { Organizations } from './model/organizations';
import { Sessions } from './model/sessions';
import { Users } from './model/users';

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
  const apiTokens = new ApiTokens(models, config);
  const links = new Links(models, config, relay);
  const sessions = new Sessions(models, config, apiTokens);
  const accounts = new Accounts(models, config, relay, links, sessions, apiTokens);
  const domain = {
    accounts,
    sessions,
    links,
    apiTokens,
    organizations: new Organizations(models, relay),
    users: new Users(models, relay, accounts, links, apiTokens),
  };
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
    routes: identityRoutes({ ...domain, limits, internalSecret: config.INTERNAL_AUTH_SECRET }),
    closeables: [{ close: async () => clearInterval(sweeper) }, limits, relay, events, kafka, mongo],
  };
  return { parts, ready, models, ...domain, relay, mongo };
}
