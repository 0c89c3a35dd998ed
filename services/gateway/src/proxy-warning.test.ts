import type { NextFunction, Request, Response } from 'express';
import { warnOfUntrustedProxy } from './service';

const request = (headers: Record<string, string>) =>
  ({
    header: (name: string) => headers[name.toLowerCase()],
    socket: { remoteAddress: '10.0.0.5' },
  }) as unknown as Request;

describe('the TRUST_PROXY warning', () => {
  it('says once that a proxy in front is not trusted, and lets every request through', () => {
    const warnings: string[] = [];
    const warn = warnOfUntrustedProxy({ warn: (_obj: unknown, message?: string) => warnings.push(message ?? '') });
    let passed = 0;
    const next: NextFunction = () => void passed++;
    warn(request({}), {} as Response, next);
    expect(warnings).toEqual([]);
    for (let i = 0; i < 3; i++) warn(request({ 'x-forwarded-for': '198.51.100.7' }), {} as Response, next);
    expect(passed).toBe(4);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('TRUST_PROXY');
  });
});
