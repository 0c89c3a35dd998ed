import { checkReadiness } from './readiness';

describe('checkReadiness', () => {
  it('is ready when every check passes', async () => {
    const report = await checkReadiness([{ name: 'a', check: async () => {} }], 100);
    expect(report).toEqual({ ready: true, checks: { a: 'up' } });
  });

  it('marks a failing or hanging server down and reports why to the callback only', async () => {
    const failures: string[] = [];
    const report = await checkReadiness(
      [
        { name: 'ok', check: async () => {} },
        { name: 'refused', check: () => Promise.reject(new Error('ECONNREFUSED 10.0.0.5:27017')) },
        { name: 'hangs', check: () => new Promise<void>(() => {}) },
      ],
      50,
      (name, err) => failures.push(`${name}: ${(err as Error).message}`),
    );
    expect(report).toEqual({ ready: false, checks: { ok: 'up', refused: 'down', hangs: 'down' } });
    expect(failures).toEqual(
      expect.arrayContaining(['refused: ECONNREFUSED 10.0.0.5:27017', 'hangs: hangs did not answer within 50 ms']),
    );
  });
});
