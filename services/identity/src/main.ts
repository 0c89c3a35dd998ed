import { tracing } from './instrument';
import { connectMongo, kafkaReadiness, runService } from '@woop/service-kit';
import { loadIdentityConfig } from './config';

const config = loadIdentityConfig();

void runService({
  name: 'identity',
  config,
  port: config.IDENTITY_PORT,
  tracing,
  setup: (logger) => {
    const mongo = connectMongo(config.MONGODB_URI, config.MONGODB_DB, logger);
    const kafka = kafkaReadiness('identity', config.KAFKA_BROKERS, logger);
    return { readiness: [mongo.readiness, kafka], closeables: [kafka, mongo] };
  },
}).catch((err) => {
  console.error('identity failed to start', err);
  process.exit(1);
});
