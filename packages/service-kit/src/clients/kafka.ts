import './kafkajs-idle-loop-fix';
import { Kafka, logLevel, type Admin, type LogEntry } from 'kafkajs';
import type { Logger } from '../logger';
import type { ReadinessCheck } from '../readiness';
import { parseEvent, type EventEnvelope } from '@woop/contracts';
import { parentForMessage, rememberEventContext } from './trace-context';

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs with its log lines sent to the service's pino logger instead of the console. */
export function createKafka(clientId: string, brokers: string[], logger: Logger): Kafka {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        kafkaLogger[levels[level] ?? 'info'](extra, message);
      },
  });
}

/**
 * A readiness check that asks the cluster to describe itself, through an admin client made
 * with no retries of its own (the probe is the retry) and a short connection timeout.
 */
export function kafkaReadiness(
  clientId: string,
  brokers: string[],
  logger: Logger,
): ReadinessCheck & {
  close(): Promise<void>;
} {
  const kafka = new Kafka({
    clientId: `${clientId}-readiness`,
    brokers,
    connectionTimeout: 1_000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  let admin: Admin | undefined;
  return {
    name: 'kafka',
    async check() {
      try {
        if (!admin) {
          admin = kafka.admin();
          await admin.connect();
        }
        await admin.describeCluster();
      } catch (error) {
        const stale = admin;
        admin = undefined;
        await stale?.disconnect().catch(() => {});
        logger.debug({ err: error }, 'kafka readiness check failed');
        throw error;
      }
    },
    async close() {
      await admin?.disconnect();
    },
  };
}

/**
 * A consumed message as an event, or undefined (logged) when it is not one: a malformed message
 * would otherwise block its partition forever, so consumers skip it and move on. The trace the
 * message came with (its `traceparent` header) is kept for the event's handler: `eventContext`.
 */
export function readEvent(
  message: {
    value: Buffer | null;
    offset: string;
    headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
  },
  logger: Logger,
): EventEnvelope | undefined {
  // A tombstone (compacted users topic, at erasure): no event. `tombstoneKey` reads its key.
  if (message.value === null) return undefined;
  try {
    const event = parseEvent(message.value ?? '');
    rememberEventContext(event, parentForMessage(message.headers));
    return event;
  } catch (err) {
    logger.error({ err, offset: message.offset }, 'unreadable event skipped');
    return undefined;
  }
}

/**
 * The key of a tombstone (a record with a null value: identity's erasure on the compacted users
 * topic), or undefined for any other record. Keys that are not user ids (`address:…`) too.
 */
export function tombstoneKey(message: { key?: Buffer | string | null; value: Buffer | null }): string | undefined {
  if (message.value !== null || message.key === null || message.key === undefined) return undefined;
  const key = message.key.toString();
  return key.startsWith('address:') ? undefined : key;
}
