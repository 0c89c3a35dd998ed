import { connectMongo, connectTemporal, kafkaReadiness, type Logger, type ServiceParts } from '@woop/service-kit';
import type { TicketsConfig } from './config';
import { ticketsApi } from './http';
import { ensureReferenceFloor, seedCatalogue, ticketModels } from './store';
import { TicketWorkflows } from './ticket-client';

/** The tickets service's parts, for its main and for tests that run it in-process. */
export function ticketsService(config: TicketsConfig, logger: Logger) {
  const mongo = connectMongo(config.MONGODB_URI, config.MONGODB_DB, logger);
  const models = ticketModels(mongo.connection);
  const temporal = connectTemporal(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
  const workflows = new TicketWorkflows(temporal.client, config.TICKETS_TASK_QUEUE);
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
    await seedCatalogue(models);
    await ensureReferenceFloor(models, config.TICKET_REFERENCE_FLOOR);
  });
  ready.catch((err) => logger.error({ err }, 'could not seed the request-type catalogue'));
  const parts: ServiceParts = {
    readiness: [mongo.readiness, kafka, temporal.readiness],
    routes: ticketsApi({ models, workflows, config }),
    closeables: [kafka, temporal, mongo],
  };
  return { parts, ready, models, workflows, mongo };
}
