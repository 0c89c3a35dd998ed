import {
  context,
  propagation,
  ROOT_CONTEXT,
  trace,
  type Attributes,
  type Context,
  type TextMapGetter,
} from '@opentelemetry/api';
import type { EventEnvelope } from '@woop/contracts';

/** The tracer of the project's own spans (publish, consume, email). */
export const woopTracer = () => trace.getTracer('@woop/service-kit');

/**
 * A trace context written down (W3C `traceparent`, `tracestate`): what travels in Kafka headers
 * and waits in an outbox row until the relay publishes it.
 */
export type TraceCarrier = Record<string, string>;

/** The given (default: current) context as a carrier; empty when nothing is traced. */
export function traceCarrier(ctx: Context = context.active()): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

/** Kafka headers come back as Buffers (or arrays of them when a key repeats). */
const kafkaGetter: TextMapGetter<Record<string, HeaderValue>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined) return undefined;
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  },
};

/** The context a carrier or a consumed message's headers describe, on top of the root context. */
export function contextFromCarrier(carrier: Record<string, HeaderValue> | undefined): Context {
  return carrier ? propagation.extract(ROOT_CONTEXT, carrier, kafkaGetter) : ROOT_CONTEXT;
}

/**
 * The parent for work on a consumed message: the current context when it already continues the
 * message's trace (the kafkajs instrumentation opens a span from the same headers), else the
 * headers' context, so the trace goes on whether or not that instrumentation is loaded.
 */
export function parentForMessage(headers: Record<string, HeaderValue> | undefined): Context {
  const fromHeaders = contextFromCarrier(headers);
  const sent = trace.getSpanContext(fromHeaders);
  const current = trace.getSpanContext(context.active());
  if (!sent) return context.active();
  return current && current.traceId === sent.traceId ? context.active() : fromHeaders;
}

const consumed = new WeakMap<EventEnvelope, Context>();

/** Remembers the trace a consumed event came with, for the code that handles it (see `readEvent`). */
export function rememberEventContext(event: EventEnvelope, ctx: Context): void {
  consumed.set(event, ctx);
}

/** The trace a consumed event came with; the current context for an event that was not consumed. */
export function eventContext(event: EventEnvelope): Context {
  return consumed.get(event) ?? context.active();
}

/**
 * What a span may say about the ticket an event is about: reference, type of request, status and
 * the event's type (the action). Never the people, the summary or a comment: traces are not a
 * place for personal data.
 */
export function eventAttributes(event: EventEnvelope): Attributes {
  const ticket = (event.data as { ticket?: { reference?: unknown; status?: unknown; requestType?: unknown } }).ticket;
  const attributes: Attributes = { 'event.type': event.type, 'event.id': event.id };
  if (ticket && typeof ticket.reference === 'string') {
    attributes['ticket.reference'] = ticket.reference;
    attributes['ticket.action'] = event.type.replace(/^ticket\./, '');
    if (typeof ticket.status === 'string') attributes['ticket.status'] = ticket.status;
    if (typeof ticket.requestType === 'string') attributes['ticket.request_type'] = ticket.requestType;
  }
  return attributes;
}
