import type { Request } from 'express';
import {
  clientAddress,
  IDENTITY_HEADER,
  signIdentity,
  signRequest,
  verifyIdentity,
  verifyRequest,
  type VerifiedIdentity,
} from './identity-header';

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
    const forged = Buffer.from(JSON.stringify({ identity: { ...who, role: 'admin' }, iat: 1_000_000 })).toString(
      'base64url',
    );
    expect(verifyIdentity(`${forged}.${sig}`, secret, 60_000, 1_000_000)).toBeUndefined();
    expect(verifyIdentity(header, 'another-secret-another-secret-another', 60_000, 1_000_000)).toBeUndefined();
    expect(verifyIdentity(header, secret, 60_000, 1_000_000 + 61_000)).toBeUndefined();
    expect(verifyIdentity(`${payload}`, secret)).toBeUndefined();
    expect(verifyIdentity(undefined, secret)).toBeUndefined();
  });

  it('carries the client address, with or without a caller, and refuses an altered one', () => {
    expect(verifyRequest(signRequest({ identity: who, clientIp: '203.0.113.9' }, secret), secret)).toEqual({
      identity: who,
      clientIp: '203.0.113.9',
    });
    const anonymous = signRequest({ clientIp: '203.0.113.9' }, secret, 1_000_000);
    expect(verifyRequest(anonymous, secret, 60_000, 1_000_000)).toEqual({ clientIp: '203.0.113.9' });
    // A header with an address only is no identity.
    expect(verifyIdentity(anonymous, secret, 60_000, 1_000_000)).toBeUndefined();

    const [, sig] = anonymous.split('.');
    const moved = Buffer.from(JSON.stringify({ clientIp: '198.51.100.1', iat: 1_000_000 })).toString('base64url');
    expect(verifyRequest(`${moved}.${sig}`, secret, 60_000, 1_000_000)).toBeUndefined();
  });

  it('gives services the signed address, never X-Forwarded-For', () => {
    const request = (headers: Record<string, string>) =>
      ({
        header: (name: string) => headers[name.toLowerCase()],
        socket: { remoteAddress: '10.0.0.5' },
      }) as unknown as Request;
    const signed = signRequest({ clientIp: '203.0.113.9' }, secret);
    expect(clientAddress(request({ [IDENTITY_HEADER]: signed, 'x-forwarded-for': '198.51.100.1' }), secret)).toBe(
      '203.0.113.9',
    );
    // Without a genuine header (a call that bypassed the gateway), the peer itself, whatever it claims.
    const [payload] = signed.split('.');
    const unsigned: Array<Record<string, string>> = [
      { 'x-forwarded-for': '198.51.100.1' },
      { [IDENTITY_HEADER]: `${payload}.forged` },
    ];
    for (const headers of unsigned) {
      expect(clientAddress(request(headers), secret)).toBe('peer:10.0.0.5');
    }
  });
});
