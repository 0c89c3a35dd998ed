import type { Context } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { MongooseInstrumentation } from '@opentelemetry/instrumentation-mongoose';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';

export const TRACES_EXPORTERS = ['none', 'console', 'otlp', 'zipkin'] as const;
export type TracesExporter = (typeof TRACES_EXPORTERS)[number];

/** Where the local stack's Zipkin takes spans (`OTEL_EXPORTER_ZIPKIN_ENDPOINT` moves it). */
export const DEFAULT_ZIPKIN_ENDPOINT = 'http://127.0.0.1:9411/api/v2/spans';

export interface Tracing {
  shutdown(): Promise<void>;
}

const HEALTH_PATH = /^\/(healthz|readyz)(\?|$)/;
const URL_ATTRIBUTES = ['url.full', 'http.url', 'http.target', 'url.original'];

/**
 * Takes out what instrumentations record that may be personal or secret, before any exporter
 * sees it: query strings (sign-up and reset link tokens, search text) from URL attributes, and
 * Kafka message keys (identity keys the events about a sign-up by the email address). Paths
 * stay: they name the route and the ticket reference.
 */
class PrivacyProcessor implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}
  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }
  onEnd(span: ReadableSpan): void {
    const attributes = span.attributes as Record<string, unknown>;
    delete attributes['url.query'];
    delete attributes['messaging.kafka.message.key'];
    for (const key of URL_ATTRIBUTES) {
      const value = attributes[key];
      if (typeof value === 'string' && value.includes('?')) attributes[key] = value.slice(0, value.indexOf('?'));
    }
    this.next.onEnd(span);
  }
  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

function exporterProcessor(exporter: TracesExporter | SpanExporter, env: NodeJS.ProcessEnv): SpanProcessor {
  if (exporter === 'console') return new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() });
  // Batches leave from a timer, off the request path: a collector or Zipkin that is down or
  // slow costs a failed background POST every few seconds, never a request's time. Export
  // failures go to OpenTelemetry's diag logger, silent unless OTEL_LOG_LEVEL asks for it.
  if (exporter === 'otlp') return new BatchSpanProcessor({ exporter: new OTLPTraceExporter() });
  if (exporter === 'zipkin') {
    const url = env.OTEL_EXPORTER_ZIPKIN_ENDPOINT ?? DEFAULT_ZIPKIN_ENDPOINT;
    return new BatchSpanProcessor({ exporter: new ZipkinExporter({ url }), exportTimeoutMillis: 10_000 });
  }
  if (exporter === 'none') throw new Error('no processor for the none exporter');
  return new SimpleSpanProcessor({ exporter });
}

/**
 * Starts OpenTelemetry for one process. Must run before express, kafkajs, mongoose or pino are
 * loaded (each service's `instrument.ts` is the first import of its main) so they get patched.
 * `exporter` may also be a SpanExporter instance, which tests use to read the spans back.
 */
export function startTracing(
  serviceName: string,
  exporter: TracesExporter | SpanExporter,
  env: NodeJS.ProcessEnv = process.env,
): Tracing {
  if (exporter === 'none') return { shutdown: async () => {} };
  const processor = new PrivacyProcessor(exporterProcessor(exporter, env));
  const sdk = new NodeSDK({
    serviceName,
    spanProcessors: [processor],
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => HEALTH_PATH.test(req.url ?? '') }),
      // fetch (undici): the gateway's calls to the services and the services' calls to each
      // other carry the trace context in `traceparent` like any HTTP client call.
      new UndiciInstrumentation({ ignoreRequestHook: (req) => HEALTH_PATH.test(req.path) }),
      new ExpressInstrumentation(),
      new KafkaJsInstrumentation(),
      new MongooseInstrumentation(),
      new PinoInstrumentation(),
    ],
  });
  sdk.start();
  // The last flush fails like the others when the trace store is down: those spans are lost
  // quietly, as the batches before them were, rather than reported as a failed shutdown.
  return { shutdown: () => sdk.shutdown().catch(() => undefined) };
}

/**
 * The exporter when OTEL_TRACES_EXPORTER is unset: Zipkin on the local stack (development),
 * nothing elsewhere (tests and production say what they want).
 */
export function defaultTracesExporter(env: NodeJS.ProcessEnv = process.env): TracesExporter {
  return (env.NODE_ENV ?? 'development') === 'development' ? 'zipkin' : 'none';
}

/** The side-effect form used by `instrument.ts`: exporter from OTEL_TRACES_EXPORTER. */
export function startTracingFromEnv(serviceName: string, env: NodeJS.ProcessEnv = process.env): Tracing {
  const exporter = (env.OTEL_TRACES_EXPORTER || defaultTracesExporter(env)) as TracesExporter;
  if (!TRACES_EXPORTERS.includes(exporter)) {
    throw new Error(`OTEL_TRACES_EXPORTER must be one of ${TRACES_EXPORTERS.join(', ')} (got "${exporter}")`);
  }
  return startTracing(env.OTEL_SERVICE_NAME ?? serviceName, exporter, env);
}
