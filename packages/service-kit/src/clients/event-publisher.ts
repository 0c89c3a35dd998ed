import type { EventEnvelope } from '@woop/contracts';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';

export interface EventPublisher {
  /** Sends events in order, keyed by subject; resolves once every broker ack is in. */
  publish(topic: string, events: EventEnvelope[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * An idempotent Kafka producer (no duplicates from its own retries; acks from all in-sync
 * replicas). Connects on first use, so a service starts while Kafka is down. Event ids travel
 * in the `ce_id` header too, for consumers that de-duplicate before parsing.
 */
export function createEventPublisher(kafka: Kafka): EventPublisher {
  let producer: Producer | undefined;
  let connecting: Promise<Producer> | undefined;
  const connected = () =>
    (connecting ??= (async () => {
      const p = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      try {
        await p.connect();
      } catch (err) {
        connecting = undefined;
        throw err;
      }
      producer = p;
      return p;
    })());
  return {
    async publish(topic, events) {
      if (events.length === 0) return;
      const p = await connected();
      await p.send({
        topic,
        acks: -1,
        messages: events.map((e) => ({
          key: e.subject,
          value: JSON.stringify(e),
          headers: { ce_id: e.id, ce_type: e.type, ce_source: e.source },
        })),
      });
    },
    async close() {
      await producer?.disconnect();
    },
  };
}
