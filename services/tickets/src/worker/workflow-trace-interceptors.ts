/**
 * Workflow interceptors that carry the trace through the ticket workflow; bundled with the
 * workflow code (the worker's `interceptors.workflowModules`), so they run in its sandbox and
 * follow its rules: deterministic, no I/O.
 *
 * Why not @temporalio/interceptors-opentelemetry's own workflow interceptors: on a history
 * recorded without them they add a yield before each handler (an SDK flag tells them not to on
 * new histories only), and replaying the recorded histories with them fails on
 * non-determinism: every ticket already running would break. These add no await and no command:
 * they pass the trace header (`_tracer-data`, written by the client interceptor on the start or
 * the update) on to the activities the start or the update schedules, including those its
 * flush schedules later (an async-local store follows the handler's promise chain), and report
 * each traced update through a sink, which makes its span outside the sandbox.
 */
import {
  AsyncLocalStorage,
  proxySinks,
  type ActivityInput,
  type LocalActivityInput,
  type Next,
  type Sinks,
  type UpdateInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import type { Payload } from '@temporalio/common';

/** The header @temporalio/interceptors-opentelemetry reads and writes (a JSON W3C carrier). */
export const TRACE_HEADER = '_tracer-data';

export interface WorkflowTraceSinks extends Sinks {
  trace: {
    /** An update the workflow handled, with the trace it came in (replays do not call it). */
    updateHandled(name: string, header: Payload, startedAt: number, endedAt: number, failed: boolean): void;
  };
}

const { trace } = proxySinks<WorkflowTraceSinks>();
const current = new AsyncLocalStorage<Payload>();

class TraceInbound implements WorkflowInboundCallsInterceptor {
  execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const header = input.headers[TRACE_HEADER];
    return header ? current.run(header, () => next(input)) : next(input);
  }

  handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>): Promise<unknown> {
    const header = input.headers[TRACE_HEADER];
    if (!header) return next(input);
    const startedAt = Date.now();
    const handled = current.run(header, () => next(input));
    // A reaction of its own: the promise handed back is the handler's, unchanged.
    handled.then(
      () => trace.updateHandled(input.name, header, startedAt, Date.now(), false),
      () => trace.updateHandled(input.name, header, startedAt, Date.now(), true),
    );
    return handled;
  }
}

const withTrace = <T extends { headers: ActivityInput['headers'] }>(input: T): T => {
  const header = current.getStore();
  return header ? { ...input, headers: { ...input.headers, [TRACE_HEADER]: header } } : input;
};

class TraceOutbound implements WorkflowOutboundCallsInterceptor {
  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>) {
    return next(withTrace(input));
  }

  scheduleLocalActivity(
    input: LocalActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>,
  ) {
    return next(withTrace(input));
  }
}

export const interceptors = (): WorkflowInterceptors => ({
  inbound: [new TraceInbound()],
  outbound: [new TraceOutbound()],
});
