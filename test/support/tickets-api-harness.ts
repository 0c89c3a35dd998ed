import type { Server } from 'node:http';
import type { Worker } from '@temporalio/worker';
import { TOPICS, type EventEnvelope } from '@woop/contracts';
import {
  closeServer,
  createEventPublisher,
  createKafka,
  createLogger,
  createServiceApp,
  IDENTITY_HEADER,
  listen,
  signIdentity,
  temporalPayloadCodec,
  type VerifiedIdentity,
} from '@woop/service-kit';
import { createTicketActivities } from '../../services/tickets/src/worker/activities';
import { loadTicketsConfig, type TicketsConfig } from '../../services/tickets/src/config';
import { ticketsService } from '../../services/tickets/src/api/service';
import { connectNative, createTicketWorker } from '../../services/tickets/src/worker/temporal-worker';
import { eventually } from './eventually';
import { uniqueId } from './ids';
import { userEvent } from './people';

const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');

export interface TicketsApi {
  /** Base URL of its API, ending in /v1. */
  base: string;
  config: TicketsConfig;
  svc: ReturnType<typeof ticketsService>;
  /** Calls the API as `who` (a signed identity, as the gateway sends it). */
  call(
    who: VerifiedIdentity | undefined,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;
  /** Publishes identity events on the users topic, which the service consumes. */
  publishUserEvents(events: EventEnvelope[]): Promise<void>;
  /** Registers people through identity's events and waits until the service's directory has them. */
  registerPeople(people: VerifiedIdentity[]): Promise<void>;
  /** Waits until the people directory holds `userId` as an agent (a user event from identity). */
  knowsAgent(userId: string, timeoutMs?: number): Promise<void>;
  /** Like `call`, with a raw body (a file) and the raw response (to read its bytes). */
  send(
    who: VerifiedIdentity | undefined,
    method: string,
    path: string,
    body?: Uint8Array,
    headers?: Record<string, string>,
  ): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * The tickets service in-process with a ticket worker whose activities write its read model:
 * own database and task queue, the real Temporal, FerretDB and Kafka.
 */
export async function startTicketsApi(
  opts: { temporalTimeoutMs?: number; env?: Record<string, string> } = {},
): Promise<TicketsApi> {
  const config = loadTicketsConfig({
    // The deadline of the service's Temporal calls: suites about something else get a loaded
    // machine's (a shared CI box), the suite of the deadline itself passes the service's own.
    TICKETS_TEMPORAL_TIMEOUT_MS: String(opts.temporalTimeoutMs ?? 20_000),
    MONGODB_URI: process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017',
    MONGODB_DB: uniqueId('tickets').replace(/-/g, '_'),
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    TICKETS_TASK_QUEUE: uniqueId('tickets-api'),
    // Temporal outlives each test database: start the numbering where no earlier run went.
    TICKET_REFERENCE_FLOOR: String(Date.now() * 10),
    // Its own group, from now on: the users topic holds every earlier run's people.
    TICKETS_GROUP_ID: uniqueId('tickets-api'),
    TICKETS_USERS_FROM_BEGINNING: 'false',
    ...opts.env,
  });
  const svc = ticketsService(config, logger);
  await svc.ready;
  await svc.consuming;
  const publisher = createEventPublisher(createKafka('tickets-api-test', config.KAFKA_BROKERS, logger));
  const connection = await connectNative(config.TEMPORAL_ADDRESS, logger);
  const worker: Worker = await createTicketWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TICKETS_TASK_QUEUE,
    workflowsPath: require.resolve('../../workflows/src/workflows'),
    activities: createTicketActivities({ db: svc.mongo.connection, publisher }),
    payloadCodec: temporalPayloadCodec(config),
  });
  const running = worker.run();
  // With /metrics, as the service's main serves it (tests read the counters there).
  const app = createServiceApp({
    logger,
    readiness: [],
    readinessTimeoutMs: 1_000,
    routes: svc.parts.routes,
    metrics: true,
  });
  const server: Server = await listen(app, '127.0.0.1', 0);
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v1`;
  return {
    base,
    config,
    svc,
    async call(who, method, path, body, headers = {}) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(who ? { [IDENTITY_HEADER]: signIdentity(who, config.INTERNAL_AUTH_SECRET) } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return {
        status: res.status,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
        headers: res.headers,
      };
    },
    publishUserEvents: (events) => publisher.publish(TOPICS.users.name, events),
    async knowsAgent(userId, timeoutMs = 30_000) {
      await eventually(
        () =>
          svc.models
            .native()
            .collection('people')
            .findOne({ _id: userId as never }),
        (p) => Array.isArray((p as { teams?: unknown } | null)?.teams),
        timeoutMs,
      );
    },
    async registerPeople(people) {
      await publisher.publish(
        TOPICS.users.name,
        people.map((p) => userEvent('user.registered', p)),
      );
      const ids = people.map((p) => p.userId);
      await eventually(
        () =>
          svc.models
            .native()
            .collection('people')
            .countDocuments({ _id: { $in: ids as never[] } }),
        (n) => n === ids.length,
      );
    },
    send(who, method, path, body, headers = {}) {
      return fetch(`${base}${path}`, {
        method,
        headers: {
          ...(who ? { [IDENTITY_HEADER]: signIdentity(who, config.INTERNAL_AUTH_SECRET) } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body } : {}),
      });
    },
    async stop() {
      await closeServer(server);
      // The users consumer first, while the worker still runs: a handler in flight (a person
      // moved or erased, maybe by another suite on the shared topic) may be waiting on a workflow
      // update, which only a running worker answers; stopped after the worker, the consumer's
      // disconnect waited for it up to the Temporal deadline, again on each retry.
      const [consumer, ...rest] = svc.parts.closeables;
      await consumer!.close();
      worker.shutdown();
      await running;
      await connection.close();
      await publisher.close();
      await svc.mongo.connection.dropDatabase();
      for (const c of rest) await c.close();
    },
  };
}
