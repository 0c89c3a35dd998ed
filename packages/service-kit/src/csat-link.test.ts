import { randomBytes } from 'node:crypto';
import { csatLinkToken, openCsatLinkToken } from './csat-link';
import { seal, sealingKey } from './sealing';

const key = sealingKey(randomBytes(32));
const previous = sealingKey(randomBytes(32));
const claims = { reference: 'SUPPORT-42', userId: 'u-claire', issuedAt: '2026-12-07T10:00:00.000Z' };

describe('satisfaction links', () => {
  it('open with the key they were made with, or a previous one during a rotation', () => {
    const token = csatLinkToken(key, claims);
    expect(token).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(openCsatLinkToken([key], token)).toEqual(claims);
    expect(openCsatLinkToken([key, previous], csatLinkToken(previous, claims))).toEqual(claims);
  });

  it('do not open when altered, made with another key, or sealed for another purpose with the same key', () => {
    const token = csatLinkToken(key, claims);
    const altered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    expect(openCsatLinkToken([key], altered)).toBeUndefined();
    expect(openCsatLinkToken([sealingKey(randomBytes(32))], token)).toBeUndefined();
    expect(openCsatLinkToken([key], 'not-a-token')).toBeUndefined();
    // The reply key itself (not the link key derived from it) makes no link.
    const raw = seal(JSON.stringify({ r: 'SUPPORT-42', u: 'u-claire', t: claims.issuedAt }), key, 'woop-csat-link-v1');
    expect(openCsatLinkToken([key], raw)).toBeUndefined();
  });
});
