import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * Secrets that must cross Kafka for one reader only (the sign-up, reset and invitation links
 * that identity asks notifications to email): AES-256-GCM under a key that only the writer and
 * that reader hold, bound to a context (the event type and the recipient's address) so a sealed
 * value moved into another event or another address does not open. The outbox row, the topic
 * and the dead-letter topic hold the sealed value only: whoever reads Kafka gets nothing usable.
 *
 * Sealed form: `wsl1.<key id>.<iv>.<ciphertext+tag>` (base64url). The key id (8 hex of the key's
 * SHA-256) lets a reader hold the new key and the previous ones during a rotation.
 */
const FORMAT = 'wsl1';
const DEVELOPMENT_KEY_SEED = 'woop-local-development-link-sealing-key-not-for-production';

/** A 256-bit sealing key. */
export interface SealingKey {
  id: string;
  key: Buffer;
}

export function sealingKey(key: Buffer): SealingKey {
  if (key.length !== 32) throw new Error('a sealing key is 32 bytes');
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 8), key };
}

/** The key `npm start` and the tests use when none is set; refused in production. */
export const DEVELOPMENT_SEALING_KEY = createHash('sha256').update(DEVELOPMENT_KEY_SEED).digest().toString('base64');

const decodeKey = (text: string): Buffer | undefined => {
  const raw = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  return raw.length === 32 ? raw : undefined;
};

/** The 32 bytes of a key written as base64 or 64 hex digits, or undefined. */
export const sealingKeyBytes = (text: string): Buffer | undefined => decodeKey(text.trim());

/** One key in the environment: 32 bytes as base64 or 64 hex digits. */
export const sealingKeySchema = z
  .string()
  .trim()
  .refine((s) => decodeKey(s) !== undefined, 'must be 32 bytes, base64 or 64 hex digits')
  .transform((s) => sealingKey(decodeKey(s)!));

/** Previous keys, comma-separated, still opened during a rotation (readers only). */
export const previousSealingKeysSchema = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
  )
  .pipe(z.array(sealingKeySchema));

/** Whether `key` is the development key (a production configuration must refuse it). */
export const isDevelopmentSealingKey = (key: SealingKey): boolean =>
  key.id === sealingKey(decodeKey(DEVELOPMENT_SEALING_KEY)!).id;

export function seal(plaintext: string, key: SealingKey, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return [FORMAT, key.id, iv.toString('base64url'), body.toString('base64url')].join('.');
}

/** The plaintext, or an error that says why it does not open (never the key nor the value). */
export function unseal(sealed: string, keys: SealingKey[], context: string): string {
  const [format, keyId, iv, body] = sealed.split('.');
  if (format !== FORMAT || !keyId || !iv || !body) throw new Error('not a sealed value');
  const key = keys.find((k) => k.id === keyId);
  if (!key) throw new Error(`sealed with an unknown key (${keyId})`);
  const data = Buffer.from(body, 'base64url');
  if (data.length < 16) throw new Error('sealed value truncated');
  const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(data.subarray(data.length - 16));
  try {
    return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('sealed value does not open with this key and context');
  }
}

/**
 * A keyed digest of `value` for `purpose` (HMAC-SHA256 under a key derived from `key` with
 * HKDF, hex): a pseudonym that nobody without the key can link to a guessed value (an address
 * tried from a list), unlike a plain hash. Used where a value must be found again without being
 * stored: the users topic's key of sign-up events, the delivery log's ids.
 */
export function keyedDigest(key: SealingKey, purpose: string, value: string): string {
  const derived = Buffer.from(hkdfSync('sha256', key.key, Buffer.alloc(0), `woop ${purpose}`, 32));
  return createHmac('sha256', derived).update(value).digest('hex');
}
