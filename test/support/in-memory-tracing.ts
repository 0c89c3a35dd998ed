import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { startTracing } from '@woop/service-kit/tracing';

/**
 * OpenTelemetry for a test process, with an exporter that keeps the spans in memory. Import it
 * before the harnesses: the services run in the jest process, so their spans (and the Temporal
 * worker's workflow spans, through its sink) all land in this one exporter.
 */
export const spans = new InMemorySpanExporter();
export const tracing = startTracing('woop-test', spans);
// The http instrumentation patches Node's http module when it is required; jest's module
// loader requires core modules around that hook, but the instrumentation also patches the
// module handed out by process.getBuiltinModule, the same object every service here uses.
for (const name of ['http', 'https']) process.getBuiltinModule(name);

/** The finished spans of one trace. */
export const spansOfTrace = (traceId: string): ReadableSpan[] =>
  spans.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
