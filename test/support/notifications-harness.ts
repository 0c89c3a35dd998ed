import { closeServer, createLogger } from '@woop/service-kit';
import { loadNotificationsConfig } from '../../services/notifications/src/config';
import { notificationsService } from '../../services/notifications/src/service';
import { uniqueId } from './ids';
import { serveInProcess } from './serve';

const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const MONGODB_URI = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017';
/** The mail catcher the global setup found (on its moved port, when a second stack runs beside the first). */
const SMTP_URL = process.env.SMTP_URL ?? 'smtp://127.0.0.1:1025';
const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');

/** The notifications service in-process: its own consumer group and database (`CONSUME: 'false'`: HTTP only). */
export async function startNotifications(env: Record<string, string> = {}) {
  const config = loadNotificationsConfig({
    MONGODB_URI,
    MONGODB_DB: uniqueId('notifications').replace(/-/g, '_'),
    KAFKA_BROKERS: brokers,
    SMTP_URL,
    NOTIFICATIONS_GROUP_ID: uniqueId('notifications-test'),
    // Only what the test publishes: the topics hold every earlier run's events too.
    NOTIFICATIONS_FROM_BEGINNING: 'false',
    NOTIFICATIONS_BACKOFF_MS: '200',
    ...env,
  });
  const service = notificationsService(config, logger, { consume: env.CONSUME !== 'false' });
  await service.started;
  if (env.CONSUME !== 'false') {
    await service.joined;
    await new Promise((r) => setTimeout(r, 1_000)); // the group's first fetch position is set
  }
  const { server, origin } = await serveInProcess(logger, { readiness: [], routes: service.parts.routes });
  const base = `${origin}/v1`;
  return {
    service,
    config,
    base,
    async stop() {
      await closeServer(server);
      for (const c of service.parts.closeables) await c.close();
      await service.mongo.connection.dropDatabase().catch(() => undefined);
    },
  };
}
