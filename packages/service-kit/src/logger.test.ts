import { Writable } from 'node:stream';
import { createLogger } from './logger';

describe('createLogger', () => {
  it('writes JSON lines with the service name and never the secrets', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('identity', 'info', sink);
    logger.info(
      {
        user: { email: 'a@b.c', password: 'correct horse' },
        req: {
          headers: {
            authorization: 'Bearer abc',
            cookie: 'sid=1',
            'x-woop-identity': 'who.sig',
            'x-csrf-token': 'csrf1',
          },
        },
      },
      'signed in',
    );
    const line = JSON.parse(lines[0] ?? '{}');
    expect(line).toMatchObject({ service: 'identity', level: 'info', msg: 'signed in', user: { email: 'a@b.c' } });
    expect(lines[0]).not.toMatch(/correct horse|Bearer abc|sid=1|who\.sig|csrf1/);
    expect(line.user.password).toBe('[redacted]');
  });
});
