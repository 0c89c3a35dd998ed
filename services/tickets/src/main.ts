import { tracing } from './instrument';
import { connectMongo, connectTemporal, kafkaReadiness, runService } from '@woop/service-kit';
import { loadTicketsConfig } from './config';

const config = loadTicketsConfig();

void runService({
  name: 'tickets',
  config,
  port: config.TICKETS_PORT,
  tracing,
  setup: (logger) => {
    const mongo = connectMongo(config.MONGODB_URI, config.MONGODB_DB, logger);
    const kafka = kafkaReadiness('tickets', config.KAFKA_BROKERS, logger);
    const temporal = connectTemporal(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
    return { readiness: [mongo.readiness, kafka, temporal.readiness], closeables: [kafka, mongo, temporal] };
  },
}).catch((err) => {
  console.error('tickets failed to start', err);
  process.exit(1);
});
