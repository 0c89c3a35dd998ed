import { trace, type Context as OtelContext } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import {
  NativeConnection,
  Runtime,
  DefaultLogger,
  Worker,
  type ActivityExecuteInput,
  type ActivityInboundCallsInterceptor,
  type InjectedSinks,
  type LogLevel,
  type Next,
  type WorkerOptions,
} from '@temporalio/worker';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import { referenceOfWorkflowId, type Logger } from '@woop/service-kit';
import { activeSpanPipeline } from '@woop/service-kit/tracing';

let runtimeInstalled = false;

/** Sends the Temporal SDK's own log lines to pino; must run before the first NativeConnection. */
function installRuntimeLogger(logger: Logger): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const sdkLogger = logger.child({ component: 'temporal-sdk' });
  const method: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
    TRACE: 'trace',
    DEBUG: 'debug',
    INFO: 'info',
    WARN: 'warn',
    ERROR: 'error',
  };
  Runtime.install({
    logger: new DefaultLogger('WARN', (entry) => sdkLogger[method[entry.level]](entry.meta ?? {}, entry.message)),
  });
}

/** Dials Temporal until it answers, so a worker started before the server waits instead of dying. */
export async function connectNative(address: string, logger: Logger, signal?: AbortSignal): Promise<NativeConnection> {
  installRuntimeLogger(logger);
  for (let attempt = 1; ; attempt++) {
    try {
      return await NativeConnection.connect({ address });
    } catch (err) {
      if (signal?.aborted) throw err;
      const delay = Math.min(15_000, 500 * 2 ** Math.min(attempt, 5));
      logger.warn({ err, attempt, retryInMs: delay }, 'temporal not reachable yet');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

export interface TicketWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  workflowsPath: string;
  activities: object;
  /** 0 disables the sticky cache: every task replays the whole history (catches non-determinism). */
  maxCachedWorkflows?: number;
}

/** Names the ticket on an activity's span (opened by the OpenTelemetry interceptor around it). */
class TicketActivityAttributes implements ActivityInboundCallsInterceptor {
  constructor(private readonly workflowId: string | undefined) {}
  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>) {
    const reference = referenceOfWorkflowId(this.workflowId ?? '');
    const span = trace.getActiveSpan();
    if (span && reference) span.setAttribute('ticket.reference', reference);
    return next(input);
  }
}

/** Workflow info fields that say which ticket a workflow span belongs to; everything else is dropped. */
function ticketAttributesOf(attributes: Record<string, unknown>): Record<string, string | number | boolean> {
  const kept: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') kept[key] = value;
  }
  const reference =
    typeof attributes.workflowId === 'string' ? referenceOfWorkflowId(attributes.workflowId) : undefined;
  if (reference) kept['ticket.reference'] = reference;
  const search = attributes.searchAttributes as Record<string, unknown[] | undefined> | undefined;
  const status = search?.TicketStatus?.[0];
  const requestType = search?.RequestType?.[0];
  if (typeof status === 'string') kept['ticket.status'] = status;
  if (typeof requestType === 'string') kept['ticket.request_type'] = requestType;
  return kept;
}

/**
 * Takes the spans the workflow sandbox made (through the interceptors' sink) into this
 * process's pipeline. The sandbox runs the interceptors' own OpenTelemetry SDK, a major version
 * behind ours: its spans name their parent by `parentSpanId` and their library as
 * `instrumentationLibrary`, which ours call `parentSpanContext` and `instrumentationScope`.
 * The sink also copies the whole workflow info into the attributes; only plain values stay.
 */
class WorkflowSpanAdapter implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}
  onStart(span: Span, parentContext: OtelContext): void {
    this.next.onStart(span, parentContext);
  }
  onEnd(span: ReadableSpan): void {
    const old = span as ReadableSpan & { parentSpanId?: string; instrumentationLibrary?: { name: string } };
    const spanContext = span.spanContext();
    const adapted: ReadableSpan = {
      ...span,
      spanContext: () => spanContext,
      attributes: ticketAttributesOf(span.attributes),
      parentSpanContext:
        span.parentSpanContext ??
        (old.parentSpanId
          ? {
              traceId: spanContext.traceId,
              spanId: old.parentSpanId,
              traceFlags: spanContext.traceFlags,
              isRemote: false,
            }
          : undefined),
      instrumentationScope: span.instrumentationScope ?? old.instrumentationLibrary ?? { name: '@temporalio/workflow' },
    };
    this.next.onEnd(adapted);
  }
  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The worker's tracing: the activity interceptors continue the trace the workflow passed in
 * the activity's headers; the workflow interceptors (a module bundled with the workflow code)
 * continue the one the client passed with the start or the update, and hand their spans to the
 * `exporter` sink, which feeds them to the process's span pipeline (nothing when tracing is off).
 */
export function workerTracing(): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  const pipeline = activeSpanPipeline();
  const exporter: InjectedSinks<OpenTelemetrySinks>['exporter'] = pipeline
    ? makeWorkflowExporter(new WorkflowSpanAdapter(pipeline.processor) as never, pipeline.resource as never)
    : { export: { fn: () => undefined } };
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
        (ctx) => ({ inbound: new TicketActivityAttributes(ctx.info.workflowExecution?.workflowId) }),
      ],
      workflowModules: [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')],
    },
    sinks: { exporter } as InjectedSinks<OpenTelemetrySinks>,
  };
}

export async function createTicketWorker(opts: TicketWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowsPath: opts.workflowsPath,
    activities: opts.activities,
    ...workerTracing(),
    ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
  });
}
