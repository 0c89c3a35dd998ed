import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Request, Response } from 'express';
import {
  IDENTITY_HEADER,
  ProblemError,
  requestIdOf,
  signRequest,
  type Problem,
  type ReadinessCheck,
  type VerifiedIdentity,
} from '@woop/service-kit';
import type { GatewayConfig } from './config';
import { problem } from './problems';

export type UpstreamName = 'identity' | 'tickets' | 'notifications';

const baseUrls = (config: GatewayConfig): Record<UpstreamName, string> => ({
  identity: config.IDENTITY_URL,
  tickets: config.TICKETS_URL,
  notifications: config.NOTIFICATIONS_URL,
});

/** The gateway is ready when every service behind it answers its liveness probe. */
export function upstreamReadiness(config: GatewayConfig): ReadinessCheck[] {
  return Object.entries(baseUrls(config)).map(([name, base]) => ({
    name,
    async check() {
      const res = await fetch(new URL('/healthz', base), { signal: AbortSignal.timeout(config.UPSTREAM_TIMEOUT_MS) });
      if (!res.ok) throw new Error(`${name} answered ${res.status}`);
    },
  }));
}

export const RETRY_AFTER_SECONDS = 5;

export const serviceUnavailable = () =>
  problem(
    'service_unavailable',
    'A part of the portal is not answering right now; try again in a few seconds.',
    undefined,
    {
      'Retry-After': String(RETRY_AFTER_SECONDS),
    },
  );

export interface UpstreamCall {
  method: string;
  /** Path and query on the service, e.g. `/v1/tickets/SUPPORT-1?x=y`. */
  path: string;
  /** The caller, signed into x-woop-identity with the client's address; absent for public routes. */
  identity?: VerifiedIdentity;
  json?: unknown;
  raw?: { body: Buffer; contentType: string };
  headers?: Record<string, string>;
  /** A create, which may wait its turn in the tickets service: UPSTREAM_CREATE_TIMEOUT_MS, not UPSTREAM_TIMEOUT_MS. */
  queued?: boolean;
}

/** Headers of a service's answer that a client may see. */
const PASSED_HEADERS = [
  'content-type',
  'content-length',
  'content-disposition',
  'location',
  'retry-after',
  'x-allowed-actions',
  'x-ticket-status',
  'etag',
  'last-modified',
  'cache-control',
];
const PROBLEM_HEADERS = ['retry-after', 'x-allowed-actions', 'x-ticket-status'];

/**
 * Calls to the services: each bounded by UPSTREAM_TIMEOUT_MS, with the request id and, signed,
 * the client's address and the verified identity (any copy the client sent never gets here). A service that is down or too slow becomes a 503 with Retry-After, never a hang.
 */
export class Upstreams {
  private readonly bases: Record<UpstreamName, string>;

  constructor(private readonly config: GatewayConfig) {
    this.bases = baseUrls(config);
  }

  async call(name: UpstreamName, req: Request, call: UpstreamCall): Promise<globalThis.Response> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-request-id': requestIdOf(req),
      ...call.headers,
      // Every call, public ones (login, sign-up, reset) too: the client's address (as `trust
      // proxy` lets the gateway see it) travels signed, for the services' per-IP limits.
      [IDENTITY_HEADER]: signRequest(
        { ...(call.identity ? { identity: call.identity } : {}), ...(req.ip ? { clientIp: req.ip } : {}) },
        this.config.INTERNAL_AUTH_SECRET,
      ),
    };
    let body: string | Buffer | undefined;
    if (call.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.json);
    } else if (call.raw) {
      headers['content-type'] = call.raw.contentType;
      body = call.raw.body;
    }
    try {
      return await fetch(new URL(call.path, this.bases[name]), {
        method: call.method,
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(
          call.queued ? this.config.UPSTREAM_CREATE_TIMEOUT_MS : this.config.UPSTREAM_TIMEOUT_MS,
        ),
      });
    } catch (err) {
      // Refused, reset or timed out: the reason (with its address) goes to the log only.
      req.log.warn({ err, upstream: name, path: call.path }, 'service unreachable');
      throw serviceUnavailable();
    }
  }

  /** Calls a service and returns its JSON answer; any error answer becomes the gateway's problem. */
  async json<T>(name: UpstreamName, req: Request, call: UpstreamCall): Promise<{ status: number; body: T }> {
    const res = await this.call(name, req, call);
    if (!res.ok) throw await this.problemOf(name, req, res);
    const text = await this.read(name, req, res);
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
  }

  /** Sends a service's answer on to the client: status, the headers clients may see, the body. */
  async relay(name: UpstreamName, req: Request, upstream: globalThis.Response, res: Response): Promise<void> {
    if (upstream.status >= 400) throw await this.problemOf(name, req, upstream);
    res.status(upstream.status);
    for (const header of PASSED_HEADERS) {
      const value = upstream.headers.get(header);
      if (value === null) continue;
      res.setHeader(header, header === 'location' ? publicLocation(value) : value);
    }
    if (!upstream.body) {
      res.end();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      Readable.fromWeb(upstream.body as WebReadableStream)
        .on('error', reject)
        .pipe(res)
        .on('finish', resolve);
    });
  }

  private async read(name: UpstreamName, req: Request, res: globalThis.Response): Promise<string> {
    try {
      return await res.text();
    } catch (err) {
      req.log.warn({ err, upstream: name }, 'service answer cut off');
      throw serviceUnavailable();
    }
  }

  /**
   * A service's error answer as the gateway's problem: its status, code, detail and field
   * errors pass through (the gateway adds its request id); a service that says it cannot
   * answer, or answers something that is not a problem, is a 503.
   */
  private async problemOf(name: UpstreamName, req: Request, res: globalThis.Response): Promise<ProblemError> {
    const text = await this.read(name, req, res);
    let sent: Partial<Problem> | undefined;
    try {
      sent = JSON.parse(text) as Partial<Problem>;
    } catch {
      sent = undefined;
    }
    if (res.status >= 502) {
      req.log.warn({ upstream: name, status: res.status }, 'service cannot answer');
      return serviceUnavailable();
    }
    if (!sent || typeof sent.code !== 'string') {
      req.log.error({ upstream: name, status: res.status }, 'service answered an error that is not a problem');
      return problem('internal_error');
    }
    const headers: Record<string, string> = {};
    for (const h of PROBLEM_HEADERS) {
      const value = res.headers.get(h);
      if (value !== null) headers[h] = value;
    }
    // Relayed as the service sent it (its catalogue is the service's, see @woop/contracts api/errors.ts).
    return new ProblemError(res.status, sent.code, sent.title ?? sent.code, sent.detail, sent.errors, headers);
  }
}

/** A service's Location (`/v1/tickets/SUPPORT-1`) as the public API's (`/api/v1/tickets/SUPPORT-1`). */
export const publicLocation = (location: string): string =>
  location.startsWith('/v1/') ? `/api${location}` : location;
