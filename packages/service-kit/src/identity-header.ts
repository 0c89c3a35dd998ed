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

const sign = (payload: string, secret: string) => createHmac('sha256', secret).update(payload).digest('base64url');

export function signIdentity(identity: VerifiedIdentity, secret: string, now = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ ...identity, iat: now })).toString('base64url');
  return `${payload}.${sign(payload, secret)}`;
}

/** The identity in a header value, or undefined if it is missing, forged or older than `maxAgeMs`. */
export function verifyIdentity(
  header: string | undefined,
  secret: string,
  maxAgeMs = 60_000,
  now = Date.now(),
): VerifiedIdentity | undefined {
  if (!header) return undefined;
  const [payload, signature] = header.split('.');
  if (!payload || !signature) return undefined;
  const expected = Buffer.from(sign(payload, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    const { iat, ...identity } = JSON.parse(Buffer.from(payload, 'base64url').toString()) as VerifiedIdentity & {
      iat: number;
    };
    if (typeof iat !== 'number' || now - iat > maxAgeMs || iat - now > maxAgeMs) return undefined;
    return identity;
  } catch {
    return undefined;
  }
}

/** The caller of a request, as the gateway signed it; 401 problem when there is none. */
export function requireIdentity(req: Request, secret: string): VerifiedIdentity {
  const identity = verifyIdentity(req.header(IDENTITY_HEADER), secret);
  if (!identity) throw commonProblem('unauthenticated', 'Log in to continue.');
  return identity;
}
