import { trace } from '@opentelemetry/api';
import {
  Client,
  Connection,
  type Next,
  type WorkflowClientInterceptor,
  type WorkflowStartInput,
  type WorkflowStartUpdateInput,
} from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { ReadinessCheck } from '../readiness';

/** `ticket-SUPPORT-12` → `SUPPORT-12`: the reference a ticket workflow's id carries. */
export const referenceOfWorkflowId = (workflowId: string): string | undefined =>
  workflowId.startsWith('ticket-') ? workflowId.slice('ticket-'.length) : undefined;

/**
 * Names the ticket and the action on the span the OpenTelemetry interceptor opened for a call
 * (it runs inside that span): what the trace search and a reader of the trace look for.
 */
class TicketSpanAttributes implements WorkflowClientInterceptor {
  private name(workflowId: string, action?: string): void {
    const span = trace.getActiveSpan();
    const reference = referenceOfWorkflowId(workflowId);
    if (!span || !reference) return;
    span.setAttribute('ticket.reference', reference);
    if (action) span.setAttribute('ticket.action', action);
  }
  async start(input: WorkflowStartInput, next: Next<WorkflowClientInterceptor, 'start'>): Promise<string> {
    this.name(input.options.workflowId, 'create');
    return next(input);
  }
  async startUpdate(input: WorkflowStartUpdateInput, next: Next<WorkflowClientInterceptor, 'startUpdate'>) {
    this.name(input.workflowExecution.workflowId, input.updateName);
    return next(input);
  }
}

/**
 * The client's interceptors: the OpenTelemetry one opens a span per call and passes the trace
 * to the workflow in the call's headers, where the worker's interceptors pick it up.
 */
export const temporalClientInterceptors = () => ({
  workflow: [new OpenTelemetryWorkflowClientInterceptor(), new TicketSpanAttributes()],
});

export interface TemporalHandle {
  readonly connection: Connection;
  readonly client: Client;
  readonly readiness: ReadinessCheck;
  close(): Promise<void>;
}

/**
 * A lazy connection: nothing is dialled until the first call, so a service starts (not ready)
 * while Temporal is down and works as soon as it is back. Every payload goes through `codec`
 * (encrypted: payload-codec.ts).
 */
export function connectTemporal(address: string, namespace: string, codec: PayloadCodec): TemporalHandle {
  const connection = Connection.lazy({ address });
  const client = new Client({
    connection,
    namespace,
    interceptors: temporalClientInterceptors(),
    dataConverter: { payloadCodecs: [codec] },
  });
  return {
    connection,
    client,
    readiness: {
      name: 'temporal',
      async check() {
        const { status } = await connection.healthService.check({});
        // 1 = SERVING in grpc.health.v1.HealthCheckResponse.ServingStatus
        if (Number(status) !== 1) throw new Error(`temporal health status ${String(status)}`);
      },
    },
    close: () => connection.close(),
  };
}
