import type { EventEnvelope } from '@woop/contracts';
import type { Kafka } from 'kafkajs';
import { uniqueId } from './ids';

/**
 * Reads `topic` from the beginning with a fresh consumer group until `done(events)` holds for
 * the events matching `filter`, then returns them (in partition order).
 */
export async function readEvents(
  kafka: Kafka,
  topic: string,
  filter: (e: EventEnvelope) => boolean,
  done: (events: EventEnvelope[]) => boolean,
  timeoutMs = 30_000,
  /** On timeout, return what matched instead of failing (an audit that counts what is missing). */
  opts: { partial?: boolean } = {},
): Promise<EventEnvelope[]> {
  const consumer = kafka.consumer({ groupId: uniqueId('test-reader') });
  const events: EventEnvelope[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          opts.partial
            ? resolve()
            : reject(new Error(`events not complete after ${timeoutMs} ms: ${events.map((e) => e.type).join(', ')}`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          const event = JSON.parse(message.value?.toString() ?? '{}') as EventEnvelope;
          if (filter(event)) events.push(event);
          if (done(events)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    return events;
  } finally {
    await consumer.disconnect();
  }
}
