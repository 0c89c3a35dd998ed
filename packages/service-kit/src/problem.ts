import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { COMMON_ERRORS, type ErrorCatalogue } from '@woop/contracts';

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

/**
 * The problem maker of one API, from its catalogue (`@woop/contracts`, api/errors.ts): status
 * and title come with the code, and a code the catalogue does not hold does not compile.
 * `problems({ ...COMMON_ERRORS, ...IDENTITY_ERRORS })('link_invalid', 'Ask for a new one.')`.
 */
export function problems<C extends ErrorCatalogue>(catalogue: C) {
  return (
    code: keyof C & string,
    detail?: string,
    errors?: Problem['errors'],
    headers?: Record<string, string>,
  ): ProblemError => {
    const { status, title } = catalogue[code]!;
    return new ProblemError(status, code, title, detail, errors, headers);
  };
}

/** The service kit's own problems (input, login, limits, failures), which any service may answer. */
export const commonProblem = problems(COMMON_ERRORS);

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

function problemType(code: string): string {
  return `https://woop-support.example/problems/${code}`;
}

/** The id pino-http gave the request (from a well-formed X-Request-Id, or a new one). */
export const requestIdOf = (req: Request): string =>
  typeof req.id === 'string' || typeof req.id === 'number' ? String(req.id) : '';

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(commonProblem('not_found', `No route for ${req.method} ${req.path}`));
};

const UNAVAILABLE_ERRORS = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'KafkaJSConnectionError',
  'KafkaJSNumberOfRetriesExceeded',
  // A strict rate limit whose database is not connected (rate-limits.ts).
  'LimitStoreUnavailableError',
  // An update whose call to Temporal timed out or was cancelled (e.g. its deadline passed while
  // the worker was down): it may or may not have been taken, so the client retries with the
  // same Idempotency-Key, which the update id makes safe. A 503, not a 500.
  'WorkflowUpdateRPCTimeoutOrCancelledError',
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
  const common = (code: keyof typeof COMMON_ERRORS): Problem => ({
    type: problemType(code),
    title: COMMON_ERRORS[code].title,
    status: COMMON_ERRORS[code].status,
    code,
  });
  let problem: Problem;
  if (err instanceof ProblemError) {
    problem = { type: problemType(err.code), title: err.title, status: err.status, code: err.code };
    if (err.detail) problem.detail = err.detail;
    if (err.errors) problem.errors = err.errors;
    for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  } else if (parserError === 'entity.too.large') {
    problem = common('payload_too_large');
  } else if (parserError === 'entity.parse.failed') {
    problem = common('malformed_json');
  } else if (isServerUnavailable(err)) {
    req.log?.warn({ err }, 'a server this service needs is unavailable');
    problem = {
      ...common('service_unavailable'),
      detail: 'A part of the portal is not answering right now; try again in a few seconds.',
    };
    res.setHeader('Retry-After', '5');
  } else {
    req.log?.error({ err }, 'unhandled error');
    problem = common('internal_error');
  }
  problem.instance = req.originalUrl;
  problem.requestId = requestId;
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
};
