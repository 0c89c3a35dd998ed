import { hkdfSync } from 'node:crypto';
import { seal, sealingKey, unseal, type SealingKey } from './sealing';

/**
 * The satisfaction links (CSAT) of the email sent when a request becomes TERMINÉ: "Êtes-vous
 * satisfait de la réponse ?" with one link per score. A link lets its recipient rate without
 * logging in, so it is a credential: notifications seals who and what it is for
 * (AES-256-GCM, `sealing.ts`) under a key derived from MAIL_REPLY_KEY, the key that already
 * lets an emailed reply act on a request as its recipient; the tickets service, which holds the
 * same key, opens it. Single use comes from the ticket itself: the workflow takes one rating
 * per closure, and a link made before the latest closure no longer opens (`issuedAt`).
 */

/** What a satisfaction link says: the request, its requester, and when it was made. */
export interface CsatLinkClaims {
  reference: string;
  userId: string;
  /** When the email was planned (ISO): a request that became TERMINÉ again since has a newer link. */
  issuedAt: string;
}

const CONTEXT = 'woop-csat-link-v1';

/** The link key derived from a MAIL_REPLY_KEY (HKDF), so that neither key's use reveals the other's. */
export function csatLinkKey(replyKey: SealingKey): SealingKey {
  return sealingKey(Buffer.from(hkdfSync('sha256', replyKey.key, Buffer.alloc(0), 'woop csat link', 32)));
}

/** The token of a satisfaction link (URL-safe: base64url parts joined by dots). */
export function csatLinkToken(replyKey: SealingKey, claims: CsatLinkClaims): string {
  const body = JSON.stringify({ r: claims.reference, u: claims.userId, t: claims.issuedAt });
  return seal(body, csatLinkKey(replyKey), CONTEXT);
}

/** Opens a token with MAIL_REPLY_KEY or a previous one; undefined when altered, forged or malformed. */
export function openCsatLinkToken(replyKeys: readonly SealingKey[], token: string): CsatLinkClaims | undefined {
  if (token.length > 1_000) return undefined;
  try {
    const raw = JSON.parse(unseal(token, replyKeys.map(csatLinkKey), CONTEXT)) as Record<string, unknown>;
    const { r, u, t } = raw;
    if (typeof r !== 'string' || typeof u !== 'string' || typeof t !== 'string' || Number.isNaN(Date.parse(t))) {
      return undefined;
    }
    return { reference: r, userId: u, issuedAt: t };
  } catch {
    return undefined;
  }
}
