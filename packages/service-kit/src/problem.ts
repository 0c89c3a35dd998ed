import type { ErrorRequestHandler, Request, RequestHandler } from 'express';

/**
 * RFC 9457 problem details. `code` is the stable, documented identifier callers switch on;
 * `title`/`detail` are for people and may change.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: Array<{ path: string; message: string }>;
}

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: Problem['errors'],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
    this.name = 'ProblemError';
  }
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

function problemType(code: string): string {
  return `https://woop-support.example/problems/${code}`;
}

/** The id pino-http gave the request (from a well-formed X-Request-Id, or a new one). */
export const requestIdOf = (req: Request): string =>
  typeof req.id === 'string' || typeof req.id === 'number' ? String(req.id) : '';

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new ProblemError(404, 'not_found', 'Not found', `No route for ${req.method} ${req.path}`));
};

const UNAVAILABLE_ERRORS = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'KafkaJSConnectionError',
  'KafkaJSNumberOfRetriesExceeded',
]);
/** gRPC DEADLINE_EXCEEDED and UNAVAILABLE: Temporal is not answering. */
const GRPC_UNAVAILABLE = new Set([4, 14]);

/** Whether an error (or one of its causes) says a server the service needs is down or unreachable. */
export function isServerUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { name, code, message, details, metadata, cause } = e as Record<string, unknown>;
    if (typeof name === 'string' && UNAVAILABLE_ERRORS.has(name)) return true;
    if (name === 'MongooseError' && typeof message === 'string' && message.includes('buffering timed out')) return true;
    if (typeof code === 'number' && GRPC_UNAVAILABLE.has(code) && details !== undefined && metadata !== undefined) {
      return true;
    }
    e = cause;
  }
  return false;
}

/** Last handler: every error leaves as problem+json; unexpected ones are logged, not shown. */
export const problemHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const requestId = requestIdOf(req);
  const parserError = (err as { type?: string } | undefined)?.type;
  let problem: Problem;
  if (err instanceof ProblemError) {
    problem = { type: problemType(err.code), title: err.title, status: err.status, code: err.code };
    if (err.detail) problem.detail = err.detail;
    if (err.errors) problem.errors = err.errors;
    for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  } else if (parserError === 'entity.too.large') {
    problem = {
      type: problemType('payload_too_large'),
      title: 'Request body too large',
      status: 413,
      code: 'payload_too_large',
    };
  } else if (parserError === 'entity.parse.failed') {
    problem = {
      type: problemType('malformed_json'),
      title: 'Request body is not valid JSON',
      status: 400,
      code: 'malformed_json',
    };
  } else if (isServerUnavailable(err)) {
    req.log?.warn({ err }, 'a server this service needs is unavailable');
    problem = {
      type: problemType('service_unavailable'),
      title: 'Service unavailable',
      status: 503,
      code: 'service_unavailable',
      detail: 'A part of the portal is not answering right now; try again in a few seconds.',
    };
    res.setHeader('Retry-After', '5');
  } else {
    req.log?.error({ err }, 'unhandled error');
    problem = { type: problemType('internal_error'), title: 'Internal error', status: 500, code: 'internal_error' };
  }
  problem.instance = req.originalUrl;
  problem.requestId = requestId;
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
};
