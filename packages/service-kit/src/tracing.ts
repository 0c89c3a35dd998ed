import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { MongooseInstrumentation } from '@opentelemetry/instrumentation-mongoose';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';

export type TracesExporter = 'none' | 'console' | 'otlp';

export interface Tracing {
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry for one process. Must run before express, kafkajs, mongoose or pino are
 * loaded (each service's `instrument.ts` is the first import of its main) so they get patched.
 * `exporter` may also be a SpanExporter instance, which tests use to read the spans back.
 */
export function startTracing(serviceName: string, exporter: TracesExporter | SpanExporter): Tracing {
  if (exporter === 'none') return { shutdown: async () => {} };
  let processor: SpanProcessor;
  if (exporter === 'console') processor = new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() });
  else if (exporter === 'otlp') processor = new BatchSpanProcessor({ exporter: new OTLPTraceExporter() });
  else processor = new SimpleSpanProcessor({ exporter });
  const sdk = new NodeSDK({
    serviceName,
    spanProcessors: [processor],
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => /^\/(healthz|readyz)/.test(req.url ?? '') }),
      new ExpressInstrumentation(),
      new KafkaJsInstrumentation(),
      new MongooseInstrumentation(),
      new PinoInstrumentation(),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}

/** The side-effect form used by `instrument.ts`: exporter from OTEL_TRACES_EXPORTER. */
export function startTracingFromEnv(serviceName: string, env: NodeJS.ProcessEnv = process.env): Tracing {
  const exporter = (env.OTEL_TRACES_EXPORTER ?? 'none') as TracesExporter;
  if (!['none', 'console', 'otlp'].includes(exporter)) {
    throw new Error(`OTEL_TRACES_EXPORTER must be none, console or otlp (got "${exporter}")`);
  }
  return startTracing(env.OTEL_SERVICE_NAME ?? serviceName, exporter);
}
