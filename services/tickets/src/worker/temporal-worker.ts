import { NativeConnection, Runtime, DefaultLogger, Worker, type LogLevel } from '@temporalio/worker';
import type { Logger } from '@woop/service-kit';

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
  /** 0 disables the sticky cache: every task replays the whole history (catches non-determinism). */
  maxCachedWorkflows?: number;
}

export async function createTicketWorker(opts: TicketWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowsPath: opts.workflowsPath,
    activities: opts.activities,
    ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
  });
}
