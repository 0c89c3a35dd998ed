import { propagation, ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { defaultPayloadConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import {
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
import type { WorkflowInfo } from '@temporalio/workflow';
import { referenceOfWorkflowId, type Logger } from '@woop/service-kit';
import type { WorkflowTraceSinks } from './workflow-trace-interceptors';

let runtimeInstalled = false;
let sdkMetricsAddress: string | undefined;

/**
 * The worker's main asks for the SDK's runtime metrics on a Prometheus listener of their own
 * (`host:port`); before the first NativeConnection, which installs the runtime once and for all.
 */
export function exportSdkMetrics(bindAddress: string): void {
  sdkMetricsAddress = bindAddress;
}

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
    ...(sdkMetricsAddress
      ? {
          telemetryOptions: {
            metrics: {
              prometheus: {
                bindAddress: sdkMetricsAddress,
                // Prometheus' naming: counters end in _total, durations in seconds with the unit.
                countersTotalSuffix: true,
                unitSuffix: true,
                useSecondsForDurations: true,
              },
            },
          },
        }
      : {}),
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
  /** Every payload goes through it (encrypted: TEMPORAL_PAYLOAD_KEYS), as in the API's client. */
  payloadCodec: PayloadCodec;
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

/**
 * The span of an update the workflow handled, made here from what the sandbox reported (it
 * cannot make spans itself without changing how it replays): a child of the client's
 * StartWorkflowUpdate span, carried in the update's trace header.
 */
function updateSpan(
  info: WorkflowInfo,
  name: string,
  header: Payload,
  startedAt: number,
  endedAt: number,
  failed: boolean,
) {
  const carrier = defaultPayloadConverter.fromPayload<Record<string, string>>(header);
  const parent = propagation.extract(ROOT_CONTEXT, carrier);
  const reference = referenceOfWorkflowId(info.workflowId);
  const span = trace.getTracer('@woop/tickets-worker').startSpan(
    `HandleUpdate:${name}`,
    {
      startTime: startedAt,
      attributes: {
        temporalWorkflowId: info.workflowId,
        ...(reference ? { 'ticket.reference': reference, 'ticket.action': name } : {}),
      },
    },
    parent,
  );
  if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: 'update failed' });
  span.end(Math.max(endedAt, startedAt));
}

/**
 * The worker's tracing: the workflow interceptors (a module bundled with the workflow code,
 * see workflow-trace-interceptors.ts) pass the trace of a start or an update on to the
 * activities it schedules and report the updates through the `trace` sink; the activity
 * interceptors of @temporalio/interceptors-opentelemetry open each activity's span in it.
 */
export function workerTracing(): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  const sinks: InjectedSinks<WorkflowTraceSinks> = {
    trace: { updateHandled: { fn: updateSpan } },
  };
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
        (ctx) => ({ inbound: new TicketActivityAttributes(ctx.info.workflowExecution?.workflowId) }),
      ],
      workflowModules: [require.resolve('./workflow-trace-interceptors')],
    },
    sinks,
  };
}

export async function createTicketWorker(opts: TicketWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowsPath: opts.workflowsPath,
    activities: opts.activities,
    dataConverter: { payloadCodecs: [opts.payloadCodec] },
    ...workerTracing(),
    ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
  });
}
