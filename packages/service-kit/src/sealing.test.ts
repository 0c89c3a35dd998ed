import { randomBytes } from 'node:crypto';
import {
  DEVELOPMENT_SEALING_KEY,
  isDevelopmentSealingKey,
  previousSealingKeysSchema,
  seal,
  sealingKey,
  sealingKeySchema,
  unseal,
} from './sealing';

describe('sealed values (AES-256-GCM for one reader)', () => {
  const key = sealingKey(randomBytes(32));
  const link = 'http://127.0.0.1:3000/password-reset/complete?token=wpl_abc';

  it('opens with the key and context it was sealed with, and shows nothing of the value', () => {
    const sealed = seal(link, key, 'user.password_reset_requested\nhugo@enseigne.example');
    expect(sealed).toMatch(/^wsl1\.[0-9a-f]{8}\.[\w-]{16}\.[\w-]+$/);
    expect(sealed).not.toContain('wpl_');
    expect(unseal(sealed, [key], 'user.password_reset_requested\nhugo@enseigne.example')).toBe(link);
    // A fresh IV each time: the same link never seals to the same text.
    expect(seal(link, key, 'c')).not.toBe(seal(link, key, 'c'));
  });

  it('refuses another context, another key, a tampered value and garbage', () => {
    const sealed = seal(link, key, 'user.signup_requested\na@x.example');
    expect(() => unseal(sealed, [key], 'user.signup_requested\nattacker@x.example')).toThrow(/does not open/);
    expect(() => unseal(sealed, [sealingKey(randomBytes(32))], 'user.signup_requested\na@x.example')).toThrow(
      /unknown key/,
    );
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString('base64url');
    expect(() => unseal(parts.join('.'), [key], 'user.signup_requested\na@x.example')).toThrow(/does not open/);
    expect(() => unseal('wpl_raw', [key], 'c')).toThrow(/not a sealed value/);
  });

  it('opens values sealed with a previous key during a rotation', () => {
    const old = sealingKey(randomBytes(32));
    const sealed = seal(link, old, 'c');
    expect(unseal(sealed, [key, old], 'c')).toBe(link);
  });

  it('reads keys from the environment: base64 or hex, 32 bytes, previous ones comma-separated', () => {
    const raw = randomBytes(32);
    expect(sealingKeySchema.parse(raw.toString('base64')).id).toBe(sealingKey(raw).id);
    expect(sealingKeySchema.parse(raw.toString('hex')).id).toBe(sealingKey(raw).id);
    expect(sealingKeySchema.safeParse(randomBytes(16).toString('base64')).success).toBe(false);
    expect(previousSealingKeysSchema.parse('')).toEqual([]);
    expect(previousSealingKeysSchema.parse(`${raw.toString('base64')}, ${DEVELOPMENT_SEALING_KEY}`)).toHaveLength(2);
    expect(isDevelopmentSealingKey(sealingKeySchema.parse(DEVELOPMENT_SEALING_KEY))).toBe(true);
    expect(isDevelopmentSealingKey(sealingKey(raw))).toBe(false);
  });
});
