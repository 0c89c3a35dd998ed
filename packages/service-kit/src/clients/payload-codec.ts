import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { z } from 'zod';

/**
 * Temporal payload encryption: every payload the project's clients and workers send to Temporal
 * (workflow inputs, update arguments and results, activity arguments, memos, failures' details)
 * is stored as AES-256-GCM ciphertext, so Temporal's database, its UI and its CLI show no ticket
 * content. The SDK applies the codec after serialising (`dataConverter: { payloadCodecs }` on
 * every client and worker); the workflow code never sees it.
 *
 * An encrypted payload: metadata `encoding: binary/encrypted` and `encryption-key-id: <id>`,
 * data = IV (12 bytes) ‖ ciphertext ‖ tag (16 bytes) of the original payload (metadata included,
 * length-delimited protobuf), with the key id as additional data. Rotation: add a key and make it
 * current; payloads are encrypted with the current key and decrypted with whichever known key
 * their id names, so histories written under an older key keep replaying while that key is kept.
 * A payload that is not `binary/encrypted` (histories recorded before encryption) passes through.
 */
export type { Payload as TemporalPayload, PayloadCodec } from '@temporalio/common';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_ENCRYPTION_KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DEVELOPMENT_KEY_SEED = 'woop-local-development-temporal-payload-key-not-for-production';

export interface PayloadKey {
  id: string;
  key: Buffer;
}

/** The key `npm start` and the tests use when none is set; refused in production. */
export const DEVELOPMENT_PAYLOAD_KEY: PayloadKey = {
  id: 'dev',
  key: createHash('sha256').update(DEVELOPMENT_KEY_SEED).digest(),
};
export const DEVELOPMENT_PAYLOAD_KEYS = `${DEVELOPMENT_PAYLOAD_KEY.id}:${DEVELOPMENT_PAYLOAD_KEY.key.toString('base64')}`;

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

const decodeKey = (text: string): Buffer | undefined => {
  const raw = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  return raw.length === 32 ? raw : undefined;
};

/**
 * `TEMPORAL_PAYLOAD_KEYS`: every key that may still open a payload, comma-separated `id:key`
 * (id: letters, digits, `.`, `_`, `-`; key: 32 bytes, base64 or 64 hex digits). Errors name the
 * entry by position, never its value.
 */
export const payloadKeysSchema = z.string().transform((text, ctx): PayloadKey[] => {
  const keys: PayloadKey[] = [];
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) ctx.addIssue({ code: 'custom', message: 'needs at least one key (id:base64 key)' });
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    const key = colon > 0 ? decodeKey(entry.slice(colon + 1).trim()) : undefined;
    if (!KEY_ID.test(id))
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1}: expected id:key, id of [A-Za-z0-9._-]` });
    else if (!key)
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1} (${id}): the key must be 32 bytes, base64 or hex` });
    else if (keys.some((k) => k.id === id)) ctx.addIssue({ code: 'custom', message: `key id ${id} appears twice` });
    else keys.push({ id, key });
  });
  return keys;
});

/** The Temporal settings of a service that talks to Temporal (tickets API and worker, gateway's codec endpoint). */
export const temporalPayloadConfig = {
  /**
   * `id:key,…` (32-byte keys, base64 or hex) encrypting every Temporal payload; the same in the
   * tickets API, its worker and the gateway (docs/operations.md, "Temporal payload encryption").
   */
  TEMPORAL_PAYLOAD_KEYS: payloadKeysSchema.prefault(DEVELOPMENT_PAYLOAD_KEYS),
  /** The key new payloads are encrypted with; unset: the first of TEMPORAL_PAYLOAD_KEYS. */
  TEMPORAL_PAYLOAD_KEY_ID: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || undefined),
};

export interface TemporalPayloadSettings {
  TEMPORAL_PAYLOAD_KEYS: PayloadKey[];
  TEMPORAL_PAYLOAD_KEY_ID?: string | undefined;
}

/** Problems of a parsed payload configuration, by variable name (loadConfig reports them). */
export function payloadConfigIssues(config: TemporalPayloadSettings, production: boolean): string[] {
  const issues: string[] = [];
  const current = config.TEMPORAL_PAYLOAD_KEY_ID;
  if (current !== undefined && !config.TEMPORAL_PAYLOAD_KEYS.some((k) => k.id === current)) {
    issues.push('TEMPORAL_PAYLOAD_KEY_ID: names no key of TEMPORAL_PAYLOAD_KEYS');
  }
  if (production && config.TEMPORAL_PAYLOAD_KEYS.some((k) => k.key.equals(DEVELOPMENT_PAYLOAD_KEY.key))) {
    issues.push(
      'TEMPORAL_PAYLOAD_KEYS: must be set in production, without the development key (id:32 random bytes base64)',
    );
  }
  return issues;
}

const text = (bytes: Uint8Array | null | undefined): string | undefined =>
  bytes ? Buffer.from(bytes).toString('utf8') : undefined;

export class PayloadEncryptionCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;
  private readonly encodingBytes = Buffer.from(ENCRYPTED_ENCODING);
  private readonly currentIdBytes: Buffer;

  constructor(
    keys: PayloadKey[],
    readonly currentKeyId: string = keys[0]?.id ?? '',
  ) {
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
    if (!this.keys.has(currentKeyId)) throw new Error(`no payload key with id ${currentKeyId}`);
    for (const [id, key] of this.keys) if (key.length !== 32) throw new Error(`payload key ${id} is not 32 bytes`);
    this.currentIdBytes = Buffer.from(currentKeyId);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decrypt(payload));
  }

  encrypt(payload: Payload): Payload {
    const plain = temporal.api.common.v1.Payload.encodeDelimited(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv);
    cipher.setAAD(this.currentIdBytes);
    const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { [METADATA_ENCODING_KEY]: this.encodingBytes, [METADATA_ENCRYPTION_KEY_ID]: this.currentIdBytes },
      data,
    };
  }

  /** The original payload; errors say why it does not open, never with the key or the content. */
  decrypt(payload: Payload): Payload {
    if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
    const keyId = text(payload.metadata?.[METADATA_ENCRYPTION_KEY_ID]);
    if (!keyId) throw new ValueError('encrypted payload without an encryption key id');
    const key = this.keys.get(keyId);
    if (!key) throw new ValueError(`payload encrypted with an unknown key (${keyId}): add it to TEMPORAL_PAYLOAD_KEYS`);
    const data = payload.data;
    if (!data || data.length < IV_BYTES + TAG_BYTES) throw new ValueError('encrypted payload truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(keyId));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new ValueError(`encrypted payload does not open with key ${keyId} (altered or wrong key)`);
    }
    return temporal.api.common.v1.Payload.decodeDelimited(plain);
  }
}

/** The codec of a service's configuration: encrypts with TEMPORAL_PAYLOAD_KEY_ID, opens any known key. */
export const temporalPayloadCodec = (config: TemporalPayloadSettings): PayloadEncryptionCodec =>
  new PayloadEncryptionCodec(config.TEMPORAL_PAYLOAD_KEYS, config.TEMPORAL_PAYLOAD_KEY_ID);

/** The codec of a process that reads the environment itself (tests, bench, scripts). */
export const temporalPayloadCodecFromEnv = (env: NodeJS.ProcessEnv = process.env): PayloadEncryptionCodec =>
  temporalPayloadCodec(z.object(temporalPayloadConfig).parse(env));

/** The data converter of every client and worker: the default payload converter, then the codec. */
export const temporalDataConverter = (codec: PayloadCodec) => ({ payloadCodecs: [codec] });
