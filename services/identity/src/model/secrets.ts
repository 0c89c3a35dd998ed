import { createHash, randomBytes, randomUUID } from 'node:crypto';

/**
 * Link, session and API tokens: 256 bits from the CSPRNG, base64url, with a prefix that says
 * what they are (and lets secret scanners spot them). Only their SHA-256 is stored: a leaked
 * database gives no usable token, and lookups stay exact-match on an index.
 */
export type TokenKind = 'link' | 'session' | 'api';
const PREFIX: Record<TokenKind, string> = { link: 'wpl_', session: 'wps_', api: 'wpt_' };

export function newToken(kind: TokenKind): string {
  return PREFIX[kind] + randomBytes(32).toString('base64url');
}

export function tokenKind(token: string): TokenKind | undefined {
  return (Object.keys(PREFIX) as TokenKind[]).find((k) => token.startsWith(PREFIX[k]));
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export const newId = (): string => randomUUID();
