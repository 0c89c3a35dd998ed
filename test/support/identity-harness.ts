import { closeServer, createLogger, type EventPublisher, type Logger } from '@woop/service-kit';
import { loadIdentityConfig, type IdentityConfig } from '../../services/identity/src/config';
import { seed } from '../../services/identity/src/seed';
import { identityService } from '../../services/identity/src/service';
import { uniqueId } from './ids';
import { serveInProcess } from './serve';

const testLogger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');

export interface RunningIdentity {
  /** Base URL of its API, ending in /v1. */
  base: string;
  config: IdentityConfig;
  svc: ReturnType<typeof identityService>;
  stop(): Promise<void>;
}

/**
 * The identity service in-process on the real FerretDB and Kafka, with a database of its own
 * seeded with the demo organisations and accounts.
 */
export async function startIdentity(
  env: Record<string, string> = {},
  publisher?: EventPublisher,
  /** Its logger (a test reads what it logs); silent by default. */
  logger: Logger = testLogger,
): Promise<RunningIdentity> {
  const config = loadIdentityConfig({
    MONGODB_URI: process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017',
    MONGODB_DB: uniqueId('identity').replace(/-/g, '_'),
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    ...env,
  });
  const svc = identityService(config, logger, publisher);
  await svc.mongo.connected;
  await svc.ready;
  await seed(svc.models, logger);
  const { server, origin } = await serveInProcess(logger, svc.parts);
  const base = `${origin}/v1`;
  return {
    base,
    config,
    svc,
    async stop() {
      await closeServer(server);
      // Dropped just before its connection closes: the rate limits, closed before, write their
      // last counts, which would otherwise bring the database back.
      for (const c of svc.parts.closeables) {
        if (c === svc.mongo) await svc.mongo.connection.dropDatabase();
        await c.close();
      }
    },
  };
}
