import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { createLogger } from './logger';
import { startOutboxRelay, outboxEntry, outboxPush, type OutboxEntry } from './outbox';
import type { EventPublisher } from './clients/event-publisher';
import { contextFromCarrier, eventAttributes, parentForMessage, traceCarrier } from './clients/trace-context';
import { defaultTracesExporter, startTracing, startTracingFromEnv } from './tracing';

describe('tracing', () => {
  const spans = new InMemorySpanExporter();
  const tracing = startTracing('tracing-unit', spans);
  afterAll(() => tracing.shutdown());
  beforeEach(() => spans.reset());
  const tracer = trace.getTracer('unit');
  /** The finished spans, once `count` are in (the simple processor exports asynchronously). */
  const flushed = async (count = 1) => {
    for (let waited = 0; spans.getFinishedSpans().length < count && waited < 5_000; waited += 20) {
      await new Promise((r) => setTimeout(r, 20));
    }
    return spans.getFinishedSpans();
  };

  it('exports to Zipkin on the local stack by default, and nothing in tests and production', () => {
    expect(defaultTracesExporter({})).toBe('zipkin');
    expect(defaultTracesExporter({ NODE_ENV: 'development' })).toBe('zipkin');
    expect(defaultTracesExporter({ NODE_ENV: 'test' })).toBe('none');
    expect(defaultTracesExporter({ NODE_ENV: 'production' })).toBe('none');
    expect(() => startTracingFromEnv('x', { OTEL_TRACES_EXPORTER: 'jaeger' })).toThrow(/zipkin/);
  });

  it('keeps query strings and Kafka keys (tokens, addresses) out of exported spans', async () => {
    tracer
      .startSpan('GET', {
        kind: SpanKind.SERVER,
        attributes: {
          'url.full': 'http://127.0.0.1:3000/signup/complete?token=s3cret',
          'url.path': '/signup/complete',
          'url.query': 'token=s3cret',
          'messaging.kafka.message.key': 'claire@enseigne.example',
        },
      })
      .end();
    const [span] = await flushed();
    expect(span!.attributes).toEqual({
      'url.full': 'http://127.0.0.1:3000/signup/complete',
      'url.path': '/signup/complete',
    });
  });

  it('names the ticket, its type, status and action from an event, not its people or texts', () => {
    const attributes = eventAttributes({
      id: 'SUPPORT-12:3:0:ticket.commented',
      type: 'ticket.commented',
      subject: 'SUPPORT-12',
      data: {
        body: 'Le colis est arrivé abîmé',
        ticket: {
          reference: 'SUPPORT-12',
          status: 'in_progress',
          requestType: 'report-a-bug',
          summary: 'Colis',
          requester: { name: 'Claire' },
        },
      },
    } as never);
    expect(attributes).toEqual({
      'event.type': 'ticket.commented',
      'event.id': 'SUPPORT-12:3:0:ticket.commented',
      'ticket.reference': 'SUPPORT-12',
      'ticket.action': 'commented',
      'ticket.status': 'in_progress',
      'ticket.request_type': 'report-a-bug',
    });
  });

  it('carries a trace through Kafka headers, which come back as Buffers', () => {
    tracer.startActiveSpan('producer', (span) => {
      const headers = Object.fromEntries(Object.entries(traceCarrier()).map(([k, v]) => [k, Buffer.from(v)]));
      const parent = context.with(contextFromCarrier({}), () => parentForMessage(headers));
      expect(trace.getSpanContext(parent)?.spanId).toBe(span.spanContext().spanId);
      span.end();
    });
  });

  it('publishes outbox events in the trace of the write that recorded them, in order per topic', async () => {
    const written = (name: string, id: string): OutboxEntry[] =>
      tracer.startActiveSpan(name, (span) => {
        span.end();
        return [
          outboxEntry('t', { id } as never),
          ...outboxPush({ topic: 't', event: { id: `${id}b` } as never }).outbox.$each,
        ];
      });
    const docs = [
      {
        _id: 'd',
        outbox: [...written('first write', 'a'), ...written('second write', 'c'), { topic: 't', event: { id: 'e' } }],
      },
    ];
    const model = {
      collection: {
        find: () => ({ limit: () => ({ toArray: async () => docs.splice(0) }) }),
        updateOne: async () => undefined,
      },
    };
    const sent: Array<{ ids: string[]; traceparent?: string }> = [];
    const publisher = {
      publish: async (_topic: string, events: Array<{ id: string }>) => {
        const carrier: Record<string, string> = {};
        propagation.inject(context.active(), carrier);
        sent.push({
          ids: events.map((e) => e.id),
          ...(carrier.traceparent ? { traceparent: carrier.traceparent } : {}),
        });
      },
    } as unknown as EventPublisher;
    const relay = startOutboxRelay({ models: [model as never], publisher, logger: createLogger('test', 'silent') });
    await tracer.startActiveSpan('someone else kicks the relay', async (span) => {
      await relay.relayOnce();
      span.end();
    });
    await relay.close();
    const finished = await flushed(3);
    const parentOf = (name: string) => finished.find((s) => s.name === name)!.spanContext();
    expect(sent.map((s) => s.ids)).toEqual([['a', 'ab'], ['c', 'cb'], ['e']]);
    expect(sent[0]!.traceparent).toContain(parentOf('first write').traceId);
    expect(sent[1]!.traceparent).toContain(parentOf('second write').traceId);
    expect(sent[2]!.traceparent).toBeUndefined(); // not the kicker's trace
  });
});
