import { tracing } from '../instrument';
import {
  connectMongo,
  connectTemporal,
  createEventPublisher,
  createKafka,
  kafkaReadiness,
  runService,
  temporalPayloadCodec,
} from '@woop/service-kit';
import { workflowsPath } from '@woop/workflows';
import { loadTicketsConfig } from '../config';
import { createTicketActivities } from './activities';
import { backfillRows } from './projection';
import { connectNative, createTicketWorker, exportSdkMetrics } from './temporal-worker';

/**
 * The Temporal worker host: polls the tickets task queue; answers /healthz, /readyz and /metrics
 * on TICKETS_WORKER_PORT, and the SDK's metrics on TEMPORAL_SDK_METRICS_ADDRESS.
 */
const config = loadTicketsConfig();

void runService({
  name: 'tickets-worker',
  config,
  port: config.TICKETS_WORKER_PORT,
  tracing,
  setup: async (logger) => {
    const mongo = connectMongo(config.MONGODB_URI, config.MONGODB_DB, logger);
    // The projection's one-off catch-up: list rows for tickets projected before rows existed.
    mongo.connected
      .then(() => backfillRows(mongo.connection.db!))
      .then((backfilled) => {
        if (backfilled > 0) logger.info({ backfilled }, 'list rows written for tickets projected before rows existed');
      })
      .catch((err: unknown) => logger.error({ err }, 'could not write the list rows of older tickets'));
    const publisher = createEventPublisher(createKafka('tickets-worker', config.KAFKA_BROKERS, logger));
    const kafka = kafkaReadiness('tickets-worker', config.KAFKA_BROKERS, logger);
    // The SDK's own metrics (task slots, poll latency, sticky cache…) on a port of their own.
    if (config.TEMPORAL_SDK_METRICS_ADDRESS) exportSdkMetrics(config.TEMPORAL_SDK_METRICS_ADDRESS);
    const connection = await connectNative(config.TEMPORAL_ADDRESS, logger);
    const payloadCodec = temporalPayloadCodec(config);
    const worker = await createTicketWorker({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TICKETS_TASK_QUEUE,
      workflowsPath,
      activities: createTicketActivities({ db: mongo.connection, publisher }),
      maxCachedWorkflows: config.TICKETS_WORKER_CACHED_WORKFLOWS,
      payloadCodec,
    });
    const running = worker.run().catch((err) => {
      logger.fatal({ err }, 'worker stopped with an error');
      process.exit(1);
    });
    const temporal = connectTemporal(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE, payloadCodec);
    return {
      readiness: [
        temporal.readiness,
        mongo.readiness,
        kafka,
        {
          name: 'worker',
          async check() {
            if (worker.getState() !== 'RUNNING') throw new Error(`worker is ${worker.getState()}`);
          },
        },
      ],
      closeables: [
        {
          async close() {
            // The SDK's runtime also drains its workers on SIGTERM: shut down only if it has not.
            if (worker.getState() === 'RUNNING') worker.shutdown();
            await running;
          },
        },
        { close: () => connection.close() },
        publisher,
        kafka,
        mongo,
        temporal,
      ],
    };
  },
}).catch((err) => {
  console.error('tickets worker failed to start', err);
  process.exit(1);
});
