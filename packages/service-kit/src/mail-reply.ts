import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { SealingKey } from './sealing';

/**
 * Reply addresses of the email channel. Every email about a request is sent with a Reply-To of
 * `support+<token>@woop.example` and a Message-ID carrying the same token, so that an emailed
 * reply finds its request and its recipient by either (the plus-address, or In-Reply-To /
 * References when a client drops it).
 *
 * Token: `<reference digits>-<user tag>-<mac>`, lower-case base32 and digits, at most 44
 * characters (a local part is at most 64). The user tag names the recipient without their id
 * (an id may be long): the first 40 bits of SHA-256 of the user id; whoever acts on a reply also
 * checks that the sender's address is that person's. The MAC is 80 bits of HMAC-SHA256 under
 * MAIL_REPLY_KEY over the reference and the tag: a token cannot be made or altered without the
 * key, and a previous key (MAIL_REPLY_PREVIOUS_KEYS) still opens the tokens it made.
 */
/** The key `npm start` and the tests use when none is set; refused in production. */
export const DEVELOPMENT_MAIL_REPLY_KEY = createHash('sha256')
  .update('woop-local-development-mail-reply-key-not-for-production')
  .digest()
  .toString('base64');

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Buffer, chars: number): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

/** A recipient's tag in a reply token: 8 base32 characters of SHA-256 of the user id. */
export const replyUserTag = (userId: string): string => base32(createHash('sha256').update(userId).digest(), 8);

const mac = (key: SealingKey, digits: string, tag: string): string =>
  base32(createHmac('sha256', key.key).update(`woop-reply-v1|SUPPORT-${digits}|${tag}`).digest(), 16);

const TOKEN = /^([1-9][0-9]{0,15})-([a-z2-7]{8})-([a-z2-7]{16})$/;

/** The reply token for `userId` about `reference` (SUPPORT-N). */
export function replyToken(key: SealingKey, reference: string, userId: string): string {
  const token = replyTokenOf(key, reference, userId);
  if (!token) throw new Error(`not a request reference: ${reference}`);
  return token;
}

/** `replyToken`, or undefined when `reference` is no request number (nothing to reply to). */
export function replyTokenOf(key: SealingKey, reference: string, userId: string): string | undefined {
  const digits = /^SUPPORT-([1-9][0-9]{0,15})$/.exec(reference)?.[1];
  if (!digits) return undefined;
  const tag = replyUserTag(userId);
  return `${digits}-${tag}-${mac(key, digits, tag)}`;
}

/** What a token that opened says: the request, and the tag of the recipient it was made for. */
export interface ReplyClaims {
  reference: string;
  userTag: string;
}

/** Opens a token with the current key or a previous one; undefined when forged, altered or malformed. */
export function openReplyToken(keys: readonly SealingKey[], token: string): ReplyClaims | undefined {
  const parts = TOKEN.exec(token.trim().toLowerCase());
  if (!parts) return undefined;
  const [, digits, tag, given] = parts as unknown as [string, string, string, string];
  for (const key of keys) {
    const expected = mac(key, digits, tag);
    if (timingSafeEqual(Buffer.from(expected), Buffer.from(given)))
      return { reference: `SUPPORT-${digits}`, userTag: tag };
  }
  return undefined;
}

/** `support@woop.example` + token → `support+<token>@woop.example`. */
export function replyAddress(supportAddress: string, token: string): string {
  const at = supportAddress.lastIndexOf('@');
  if (at < 1) throw new Error(`not an address: ${supportAddress}`);
  return `${supportAddress.slice(0, at)}+${token}${supportAddress.slice(at)}`;
}

/** The token of a plus-address of the support mailbox (`support+<token>@…`), if it is one. */
export function tokenOfAddress(supportAddress: string, address: string): string | undefined {
  const at = supportAddress.lastIndexOf('@');
  const local = supportAddress.slice(0, at).toLowerCase();
  const domain = supportAddress.slice(at + 1).toLowerCase();
  const m = /^([^@+]+)\+([^@]+)@(.+)$/.exec(address.trim().toLowerCase());
  return m && m[1] === local && m[3] === domain ? m[2] : undefined;
}

/** The domain part of the Message-IDs notifications gives its emails. */
export const MESSAGE_ID_DOMAIN = 'notifications.woop-support';

/**
 * Message-ID of an email: `<digest@…>` or, for an email about a request, `<digest.token@…>` so
 * that In-Reply-To / References of a reply carry the token too.
 */
export const messageIdWithToken = (digest: string, token?: string): string =>
  `<${digest}${token ? `.${token}` : ''}@${MESSAGE_ID_DOMAIN}>`;

/** The tokens found in In-Reply-To / References (Message-IDs of ours that carry one), newest last. */
export function tokensOfReferences(header: string | readonly string[] | undefined): string[] {
  const text = typeof header === 'string' ? header : (header ?? []).join(' ');
  const found: string[] = [];
  const re = /<[0-9a-f]+\.([0-9a-z-]+)@([^>\s]+)>/gi;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[2]!.toLowerCase() === MESSAGE_ID_DOMAIN) found.push(m[1]!.toLowerCase());
  }
  return found;
}
