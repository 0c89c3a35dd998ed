import type { Request, Response } from 'express';
import type { ApiErrorCodeWith, ApiErrorStatus } from '@woop/contracts';
import type { z } from 'zod';
import type { Caller } from '../auth';
import type { UpstreamCall, UpstreamName, Upstreams } from '../upstreams';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Problem codes by status, each taken from the errors catalogues (`@woop/contracts`,
 * api/errors.ts) under the status it comes with: `{ 404: ['ticket_not_found'] }`.
 */
export type ProblemCodes = { readonly [S in ApiErrorStatus]?: readonly ApiErrorCodeWith<S>[] };

export interface RouteResponse {
  description: string;
  /** JSON body; absent for an empty answer (204) or a file. */
  schema?: z.ZodType;
  /** A file's content types, for a download. */
  fileTypes?: readonly string[];
  headers?: Record<string, string>;
}

export interface RouteContext {
  req: Request;
  res: Response;
  /** Set on routes that need a signed-in caller. */
  caller?: Caller;
  params: Record<string, string>;
  /** The JSON body as validated (defaults applied). */
  body?: unknown;
  /** What the service gets: the JSON body as sent, or the file. */
  forwarded: { json?: unknown; file?: { body: Buffer; contentType: string } };
  upstreams: Upstreams;
  csrfSecret: string;
}

/**
 * One operation of the public API: what it takes and answers (the schemas that validate it
 * and that the OpenAPI document is built from) and how the gateway serves it.
 */
export interface ApiRoute {
  method: Method;
  /** OpenAPI form, under /api/v1: `/tickets/{reference}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** `user`: a session cookie or bearer token is required. */
  auth: 'public' | 'user';
  /** Only a session may call it, never an API token (`session_required`): making API tokens. */
  sessionOnly?: boolean;
  /** Login, sign-up and password reset: the stricter per-IP limit applies. */
  authLimit?: boolean;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** Takes an `Idempotency-Key` header. */
  idempotent?: boolean;
  body?: z.ZodType;
  /** The body is a file (attachments), not JSON. */
  rawBody?: { types: readonly string[]; maxBytes: number };
  responses: Record<number, RouteResponse>;
  /**
   * Problem codes this operation may answer beyond the ones every operation of its kind may
   * (see `commonErrors` in openapi.ts): exactly those its handler and the owning service can
   * give through the gateway, no more.
   */
  errors?: ProblemCodes;
  handle(ctx: RouteContext): Promise<void>;
}

/** The query string of the request as the client sent it (validated, forwarded unchanged). */
export const queryString = (req: Request): string => {
  const i = req.originalUrl.indexOf('?');
  return i < 0 ? '' : req.originalUrl.slice(i);
};

/**
 * The most common handler: the same call on the owning service, with the caller signed in
 * x-woop-identity, the JSON body or file, the query and the Idempotency-Key; its answer relayed.
 */
export function forward(
  to: UpstreamName,
  path: (p: Record<string, string>) => string,
  opts: Pick<UpstreamCall, 'queued'> = {},
): ApiRoute['handle'] {
  return async ({ req, res, caller, params, forwarded, upstreams }) => {
    const encoded = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, encodeURIComponent(v)]));
    const key = req.header('idempotency-key');
    const upstream = await upstreams.call(to, req, {
      method: req.method,
      path: path(encoded) + queryString(req),
      identity: caller?.identity,
      json: forwarded.json,
      raw: forwarded.file,
      ...(key !== undefined ? { headers: { 'idempotency-key': key } } : {}),
      ...opts,
    });
    await upstreams.relay(to, req, upstream, res);
  };
}
