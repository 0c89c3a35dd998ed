import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { commonProblem } from './problem';

/**
 * The identity the gateway verified (from a session or an API token), passed to the internal
 * services in one header, signed with a secret they share. Services trust this header only:
 * a client cannot forge it (the gateway drops any it receives), and the signature makes a
 * request that bypasses the gateway on the internal network useless.
 */
export interface VerifiedIdentity {
  userId: string;
  role: 'customer' | 'agent' | 'admin';
  name: string;
  email: string;
  organizationId?: string;
  /** Customers only: may manage their organisation's users. */
  orgAdmin: boolean;
  teams: string[];
  locale: 'fr' | 'en';
}

export const IDENTITY_HEADER = 'x-woop-identity';

/**
 * What the gateway signs for every call to a service: the caller when there is one (absent on
 * public routes such as login), and always the client's address as the gateway decided it (its
 * `trust proxy` setting says which proxies in front of it may tell). Services count per-IP
 * limits on this address: behind the gateway they would otherwise all see the gateway's own.
 */
export interface SignedRequest {
  identity?: VerifiedIdentity;
  clientIp?: string;
}

const sign = (payload: string, secret: string) => createHmac('sha256', secret).update(payload).digest('base64url');

export function signRequest(signed: SignedRequest, secret: string, now = Date.now()): string {
  const body = {
    ...(signed.identity ? { identity: signed.identity } : {}),
    ...(signed.clientIp ? { clientIp: signed.clientIp } : {}),
    iat: now,
  };
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${payload}.${sign(payload, secret)}`;
}

/** A header with the caller only (tests that play the gateway). */
export const signIdentity = (identity: VerifiedIdentity, secret: string, now = Date.now()): string =>
  signRequest({ identity }, secret, now);

/** What a header value says, or undefined if it is missing, forged, altered or older than `maxAgeMs`. */
export function verifyRequest(
  header: string | undefined,
  secret: string,
  maxAgeMs = 60_000,
  now = Date.now(),
): SignedRequest | undefined {
  if (!header) return undefined;
  const [payload, signature] = header.split('.');
  if (!payload || !signature) return undefined;
  const expected = Buffer.from(sign(payload, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    const { iat, identity, clientIp } = JSON.parse(Buffer.from(payload, 'base64url').toString()) as SignedRequest & {
      iat: unknown;
    };
    if (typeof iat !== 'number' || now - iat > maxAgeMs || iat - now > maxAgeMs) return undefined;
    return {
      ...(identity && typeof identity.userId === 'string' ? { identity } : {}),
      ...(typeof clientIp === 'string' && clientIp ? { clientIp } : {}),
    };
  } catch {
    return undefined;
  }
}

/** The identity in a header value, or undefined if there is none or the header is not genuine. */
export function verifyIdentity(
  header: string | undefined,
  secret: string,
  maxAgeMs = 60_000,
  now = Date.now(),
): VerifiedIdentity | undefined {
  return verifyRequest(header, secret, maxAgeMs, now)?.identity;
}

/** The caller of a request, as the gateway signed it; 401 problem when there is none. */
export function requireIdentity(req: Request, secret: string): VerifiedIdentity {
  const identity = verifyIdentity(req.header(IDENTITY_HEADER), secret);
  if (!identity) throw commonProblem('unauthenticated', 'Log in to continue.');
  return identity;
}

/**
 * The client's address for per-IP limits: the one the gateway signed. Never X-Forwarded-For,
 * which anyone may send: a call without a genuine signed address (one that bypassed the
 * gateway) counts as its own peer, so it cannot spread its attempts over made-up addresses.
 */
export function clientAddress(req: Request, secret: string): string {
  const signed = verifyRequest(req.header(IDENTITY_HEADER), secret)?.clientIp;
  return signed ?? `peer:${req.socket.remoteAddress ?? 'unknown'}`;
}
