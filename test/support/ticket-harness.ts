import { Client, Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import {
  createEventPublisher,
  createKafka,
  createLogger,
  connectMongo,
  temporalDataConverter,
  temporalPayloadCodecFromEnv,
  type MongoHandle,
} from '@woop/service-kit';
import type { Kafka } from 'kafkajs';
import type { TicketActivities } from '@woop/contracts/workflow';
import { createTicketActivities } from '../../services/tickets/src/worker/activities';
import { connectNative, createTicketWorker } from '../../services/tickets/src/worker/temporal-worker';
import { TicketWorkflows } from '../../services/tickets/src/api/ticket-client';
import { uniqueId } from './ids';

export const TEMPORAL_ADDRESS = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');

export interface TicketHarness {
  tickets: TicketWorkflows;
  client: Client;
  kafka: Kafka;
  mongo: MongoHandle;
  taskQueue: string;
  close(): Promise<void>;
}

/**
 * A ticket worker with the real activities (FerretDB read model, Kafka events) on its own task
 * queue and database, plus the tickets service's client. `maxCachedWorkflows: 0` replays the
 * whole history on every task, so non-determinism fails the test instead of hiding in the cache.
 */
export async function startTicketHarness(
  opts: {
    maxCachedWorkflows?: number;
    mongoUri?: string;
    kafkaBrokers?: string[];
    /** Wraps the real activities (e.g. to record what the projection is given); they still run. */
    around?: (real: TicketActivities) => TicketActivities;
  } = {},
): Promise<TicketHarness> {
  const taskQueue = uniqueId('tickets-test');
  const mongo = connectMongo(
    opts.mongoUri ?? process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017',
    uniqueId('tickets').replace(/-/g, '_'),
    logger,
  );
  // With a database that is not up yet the worker starts anyway, as the real one does.
  if (!opts.mongoUri) await mongo.connected;
  const kafka = createKafka('tickets-test', opts.kafkaBrokers ?? brokers, logger);
  const publisher = createEventPublisher(kafka);
  const nativeConnection = await connectNative(TEMPORAL_ADDRESS, logger);
  // Encrypted payloads, as the services write them (the development key unless the env sets one).
  const payloadCodec = temporalPayloadCodecFromEnv();
  const worker: Worker = await createTicketWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowsPath: require.resolve('../../workflows/src/workflows'),
    activities: (opts.around ?? ((real) => real))(createTicketActivities({ db: mongo.connection, publisher })),
    payloadCodec,
    ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
  });
  const running = worker.run();
  const connection = await Connection.connect({ address: TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: 'default', dataConverter: temporalDataConverter(payloadCodec) });
  return {
    // A deadline for a loaded machine (under the tests' 60 s; every task replays the whole history): these
    // suites test the workflow, the API's own (4 s) is tested with the API.
    tickets: new TicketWorkflows(client, taskQueue, 50_000),
    client,
    kafka,
    mongo,
    taskQueue,
    async close() {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
      await publisher.close();
      await mongo.connection.dropDatabase();
      await mongo.close();
    },
  };
}
