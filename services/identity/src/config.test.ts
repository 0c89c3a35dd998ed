import { randomBytes } from 'node:crypto';
import { loadIdentityConfig } from './config';

describe('identity configuration', () => {
  it('lets anyone sign up by default', () => {
    expect(loadIdentityConfig({}).SIGNUP_POLICY).toBe('open');
  });

  it('restricts sign-up to organisation domains when asked, and refuses other values', () => {
    expect(loadIdentityConfig({ SIGNUP_POLICY: 'organization_domains' }).SIGNUP_POLICY).toBe('organization_domains');
    expect(() => loadIdentityConfig({ SIGNUP_POLICY: 'closed' })).toThrow(/SIGNUP_POLICY/);
  });

  it('seals links with a key of 32 bytes, never the development one in production', () => {
    const raw = randomBytes(32);
    const key = raw.toString('base64');
    expect(loadIdentityConfig({}).LINK_SEALING_KEY.key).toHaveLength(32);
    expect(() => loadIdentityConfig({ LINK_SEALING_KEY: 'too-short' })).toThrow(/LINK_SEALING_KEY/);
    const production = { NODE_ENV: 'production', INTERNAL_AUTH_SECRET: randomBytes(32).toString('hex') };
    expect(() => loadIdentityConfig(production)).toThrow(/LINK_SEALING_KEY/);
    expect(loadIdentityConfig({ ...production, LINK_SEALING_KEY: key }).LINK_SEALING_KEY.key).toEqual(raw);
  });

  it('gives API tokens 90 days by default', () => {
    expect(loadIdentityConfig({}).API_TOKEN_TTL_DAYS).toBe(90);
    expect(loadIdentityConfig({ API_TOKEN_TTL_DAYS: '7' }).API_TOKEN_TTL_DAYS).toBe(7);
  });
});
