import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { EventEnvelope } from '@woop/contracts';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { eventAttributes, traceCarrier, woopTracer } from './trace-context';

export interface EventPublisher {
  /**
   * Sends events in order, keyed by subject; resolves once every broker ack is in. Each message
   * carries the current trace context in its headers (`traceparent`), under a producer span.
   */
  publish(topic: string, events: EventEnvelope[]): Promise<void>;
  /**
   * Sends a tombstone (a null value) for each key, in order: on a compacted topic the log
   * cleaner then drops every earlier record of that key, and the tombstone itself after the
   * topic's `delete.retention.ms`. Consumers read a null value (see `readEvent`).
   */
  publishTombstones(topic: string, keys: string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * An idempotent Kafka producer (no duplicates from its own retries; acks from all in-sync
 * replicas). Connects on first use, so a service starts while Kafka is down. Event ids travel
 * in the `ce_id` header too, for consumers that de-duplicate before parsing. The trace context
 * is written here rather than left to the kafkajs instrumentation: the trace must go on where
 * that instrumentation is not loaded (tests run kafkajs outside Node's module loader); where
 * it is, its own span and `traceparent` come under this one, in the same trace.
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
      // One span per batch; a batch is one entity's events (one ticket's, one user's).
      await woopTracer().startActiveSpan(
        `publish ${topic}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            ...eventAttributes(events[events.length - 1]!),
            'messaging.system': 'kafka',
            'messaging.destination.name': topic,
            'messaging.batch.message_count': events.length,
          },
        },
        async (span) => {
          try {
            const trace = traceCarrier();
            await p.send({
              topic,
              acks: -1,
              messages: events.map((e) => ({
                key: e.subject,
                value: JSON.stringify(e),
                headers: { ...trace, ce_id: e.id, ce_type: e.type, ce_source: e.source },
              })),
            });
          } catch (err) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
            throw err;
          } finally {
            span.end();
          }
        },
      );
    },
    async publishTombstones(topic, keys) {
      if (keys.length === 0) return;
      const p = await connected();
      await p.send({ topic, acks: -1, messages: keys.map((key) => ({ key, value: null, headers: traceCarrier() })) });
    },
    async close() {
      await producer?.disconnect();
    },
  };
}
