import { loadIdentityConfig } from './config';

describe('identity configuration', () => {
  it('lets anyone sign up by default', () => {
    expect(loadIdentityConfig({}).SIGNUP_POLICY).toBe('open');
  });

  it('restricts sign-up to organisation domains when asked, and refuses other values', () => {
    expect(loadIdentityConfig({ SIGNUP_POLICY: 'organization_domains' }).SIGNUP_POLICY).toBe('organization_domains');
    expect(() => loadIdentityConfig({ SIGNUP_POLICY: 'closed' })).toThrow(/SIGNUP_POLICY/);
  });
});
