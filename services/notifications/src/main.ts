import { tracing } from './instrument';
import { connectMongo, createSmtp, kafkaReadiness, runService } from '@woop/service-kit';
import { loadNotificationsConfig } from './config';

const config = loadNotificationsConfig();

void runService({
  name: 'notifications',
  config,
  port: config.NOTIFICATIONS_PORT,
  tracing,
  setup: (logger) => {
    const mongo = connectMongo(config.MONGODB_URI, config.MONGODB_DB, logger);
    const kafka = kafkaReadiness('notifications', config.KAFKA_BROKERS, logger);
    const smtp = createSmtp(config.SMTP_URL);
    return { readiness: [mongo.readiness, kafka, smtp.readiness], closeables: [kafka, mongo, smtp] };
  },
}).catch((err) => {
  console.error('notifications failed to start', err);
  process.exit(1);
});
