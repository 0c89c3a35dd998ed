import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, METADATA_ENCODING_KEY } from '@temporalio/common';
import { baseConfigSchema, loadConfig } from '../config';
import {
  DEVELOPMENT_PAYLOAD_KEYS,
  ENCRYPTED_ENCODING,
  METADATA_ENCRYPTION_KEY_ID,
  PayloadEncryptionCodec,
  temporalPayloadConfig,
  type PayloadKey,
} from './payload-codec';

const key = (id: string): PayloadKey => ({ id, key: randomBytes(32) });
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');
const SECRET = { description: 'Faille XSS signalée par claire.martin@example.com', note: 'client important' };
const payload = () => defaultPayloadConverter.toPayload(SECRET);

describe('Temporal payload encryption codec', () => {
  const k1 = key('k1');

  it('encrypts a payload (no plaintext, key id and encoding in the metadata) and decrypts it back', async () => {
    const codec = new PayloadEncryptionCodec([k1]);
    const [encrypted] = await codec.encode([payload()]);
    expect(text(encrypted!.metadata![METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
    expect(text(encrypted!.metadata![METADATA_ENCRYPTION_KEY_ID])).toBe('k1');
    const raw = Buffer.concat([encrypted!.data!, ...Object.values(encrypted!.metadata!)]).toString('latin1');
    expect(raw).not.toContain('claire.martin');
    expect(raw).not.toContain('json/plain');
    const [decrypted] = await codec.decode([encrypted!]);
    expect(text(decrypted!.metadata![METADATA_ENCODING_KEY])).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(decrypted!)).toEqual(SECRET);
  });

  it('uses a fresh IV for every payload', async () => {
    const codec = new PayloadEncryptionCodec([k1]);
    const [a, b] = await codec.encode([payload(), payload()]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('passes through a payload that is not encrypted (histories written before encryption)', async () => {
    const codec = new PayloadEncryptionCodec([k1]);
    const plain = payload();
    const [out] = await codec.decode([plain]);
    expect(out).toBe(plain);
  });

  it('refuses a payload of an unknown key id, naming the id', async () => {
    const [encrypted] = await new PayloadEncryptionCodec([k1]).encode([payload()]);
    await expect(new PayloadEncryptionCodec([key('k2')]).decode([encrypted!])).rejects.toThrow(/unknown key \(k1\)/);
  });

  it('refuses a payload whose key id was swapped for another known key', async () => {
    const k2 = key('k2');
    const [encrypted] = await new PayloadEncryptionCodec([k1, k2]).encode([payload()]);
    const swapped = {
      ...encrypted!,
      metadata: { ...encrypted!.metadata, [METADATA_ENCRYPTION_KEY_ID]: Buffer.from('k2') },
    };
    await expect(new PayloadEncryptionCodec([k1, k2]).decode([swapped])).rejects.toThrow(/does not open with key k2/);
  });

  it('refuses a tampered ciphertext, tag or IV', async () => {
    const codec = new PayloadEncryptionCodec([k1]);
    const [encrypted] = await codec.encode([payload()]);
    const length = encrypted!.data!.length;
    for (const at of [0, 12, Math.floor(length / 2), length - 1]) {
      const data = Buffer.from(encrypted!.data!);
      data[at]! ^= 0x01;
      await expect(codec.decode([{ ...encrypted!, data }])).rejects.toThrow(/does not open/);
    }
    await expect(codec.decode([{ ...encrypted!, data: encrypted!.data!.subarray(0, 20) }])).rejects.toThrow(
      /truncated/,
    );
  });

  it('rotates: encrypts with the current key, still opens payloads of the older one', async () => {
    const before = new PayloadEncryptionCodec([k1]);
    const [old] = await before.encode([payload()]);
    const k2 = key('k2');
    const after = new PayloadEncryptionCodec([k2, k1], 'k2');
    const [fresh] = await after.encode([payload()]);
    expect(text(fresh!.metadata![METADATA_ENCRYPTION_KEY_ID])).toBe('k2');
    const decoded = await after.decode([old!, fresh!]);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([SECRET, SECRET]);
    // The old codec cannot open what the new key wrote.
    await expect(before.decode([fresh!])).rejects.toThrow(/unknown key \(k2\)/);
  });
});

describe('Temporal payload keys in the configuration', () => {
  const schema = baseConfigSchema.extend(temporalPayloadConfig);
  const b64 = () => randomBytes(32).toString('base64');

  it('has a development key by default and reads a rotation list with its current id', () => {
    expect(loadConfig(schema, {}).TEMPORAL_PAYLOAD_KEYS.map((k) => k.id)).toEqual(['dev']);
    const config = loadConfig(schema, {
      TEMPORAL_PAYLOAD_KEYS: `2026b:${b64()}, 2026a:${b64()}`,
      TEMPORAL_PAYLOAD_KEY_ID: '2026a',
    });
    expect(config.TEMPORAL_PAYLOAD_KEYS.map((k) => k.id)).toEqual(['2026b', '2026a']);
    expect(config.TEMPORAL_PAYLOAD_KEY_ID).toBe('2026a');
  });

  it('refuses malformed keys and an unknown current id, without echoing a key', () => {
    const secret = b64();
    expect(() => loadConfig(schema, { TEMPORAL_PAYLOAD_KEYS: `k1:${secret.slice(0, 20)}` })).toThrow(
      /TEMPORAL_PAYLOAD_KEYS: entry 1 \(k1\): the key must be 32 bytes/,
    );
    expect(() => loadConfig(schema, { TEMPORAL_PAYLOAD_KEYS: secret })).toThrow(/expected id:key/);
    expect(() => loadConfig(schema, { TEMPORAL_PAYLOAD_KEYS: `a:${secret},a:${b64()}` })).toThrow(/twice/);
    expect(() => loadConfig(schema, { TEMPORAL_PAYLOAD_KEYS: `a:${secret}`, TEMPORAL_PAYLOAD_KEY_ID: 'b' })).toThrow(
      /TEMPORAL_PAYLOAD_KEY_ID: names no key/,
    );
    try {
      loadConfig(schema, { TEMPORAL_PAYLOAD_KEYS: `a:${secret.slice(0, 30)}` });
    } catch (err) {
      expect((err as Error).message).not.toContain(secret.slice(0, 30));
    }
  });

  it('refuses the development key in production, even beside a real one', () => {
    const production = { NODE_ENV: 'production', INTERNAL_AUTH_SECRET: randomBytes(32).toString('hex') };
    expect(() => loadConfig(schema, production)).toThrow(/TEMPORAL_PAYLOAD_KEYS: must be set in production/);
    expect(() =>
      loadConfig(schema, { ...production, TEMPORAL_PAYLOAD_KEYS: `new:${b64()},${DEVELOPMENT_PAYLOAD_KEYS}` }),
    ).toThrow(/TEMPORAL_PAYLOAD_KEYS: must be set in production/);
    expect(loadConfig(schema, { ...production, TEMPORAL_PAYLOAD_KEYS: `new:${b64()}` }).NODE_ENV).toBe('production');
    // A service without Temporal settings is not asked for them.
    expect(loadConfig(baseConfigSchema, production).NODE_ENV).toBe('production');
  });
});
