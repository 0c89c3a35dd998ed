import { signIdentity, verifyIdentity, type VerifiedIdentity } from './identity-header';

const who: VerifiedIdentity = {
  userId: 'u1',
  role: 'customer',
  name: 'Claire',
  email: 'claire@enseigne.example',
  organizationId: 'o1',
  orgAdmin: false,
  teams: [],
  locale: 'fr',
};
const secret = 'a-secret-of-at-least-thirty-two-chars!!';

describe('signed identity header', () => {
  it('round-trips', () => {
    expect(verifyIdentity(signIdentity(who, secret), secret)).toEqual(who);
  });

  it('refuses a tampered payload, a wrong secret, an old or missing header', () => {
    const header = signIdentity(who, secret, 1_000_000);
    const [payload, sig] = header.split('.');
    const forged = Buffer.from(JSON.stringify({ ...who, role: 'admin', iat: 1_000_000 })).toString('base64url');
    expect(verifyIdentity(`${forged}.${sig}`, secret, 60_000, 1_000_000)).toBeUndefined();
    expect(verifyIdentity(header, 'another-secret-another-secret-another', 60_000, 1_000_000)).toBeUndefined();
    expect(verifyIdentity(header, secret, 60_000, 1_000_000 + 61_000)).toBeUndefined();
    expect(verifyIdentity(`${payload}`, secret)).toBeUndefined();
    expect(verifyIdentity(undefined, secret)).toBeUndefined();
  });
});
