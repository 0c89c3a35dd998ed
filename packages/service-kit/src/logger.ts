import { AsyncLocalStorage } from 'node:async_hooks';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths whose values never reach a log line: credentials, tokens, cookies. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'newPassword',
  '*.newPassword',
  'currentPassword',
  '*.currentPassword',
  'token',
  '*.token',
  'sessionToken',
  '*.sessionToken',
  'secret',
  '*.secret',
  'req.headers.authorization',
  'req.headers.cookie',
  // The signed caller (name, email) and the session's CSRF token: personal or secret, never logged.
  'req.headers["x-woop-identity"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
];

/**
 * What every line logged while one request is served carries (its id, the ticket it concerns):
 * set by the HTTP layer (`http.ts`) for the whole request, whichever logger writes the line.
 */
export interface LogContext {
  reqId?: string;
  ticketReference?: string;
}
const logContext = new AsyncLocalStorage<LogContext>();

/** Runs `fn` (and everything it starts) with `context` on its log lines. */
export function runWithLogContext<T>(context: LogContext, fn: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...context }, fn);
}

/** Adds fields to the current context (a route that learns the ticket it is about). */
export function addLogContext(fields: LogContext): void {
  const store = logContext.getStore();
  if (store) Object.assign(store, fields);
}

/**
 * The trace of the line: the active span's ids, as OpenTelemetry's pino instrumentation names
 * them (the two agree when both run; this one also works where the instrumentation is not loaded).
 */
function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const ctx = span.spanContext();
  return isSpanContextValid(ctx) ? { trace_id: ctx.traceId, span_id: ctx.spanId } : {};
}

/** Structured JSON logs on stdout, one line an event, with the service's name on every line. */
export function createLogger(service: string, level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name: service,
      level,
      base: { service },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => ({ ...logContext.getStore(), ...traceFields() }),
    },
    destination,
  );
}
