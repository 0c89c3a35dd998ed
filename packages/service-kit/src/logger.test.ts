import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { addLogContext, createLogger, runWithLogContext } from './logger';

// What the SDK installs in a service: without a context manager no span is ever active.
beforeAll(() => context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()));
afterAll(() => context.disable());

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

describe('log context', () => {
  const capture = () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    return { lines, logger: createLogger('tickets', 'info', sink) };
  };

  it('puts the request id and the ticket on every line of a request, whichever async path logs it', async () => {
    const { lines, logger } = capture();
    await runWithLogContext({ reqId: 'req-1' }, async () => {
      addLogContext({ ticketReference: 'SUPPORT-7' });
      await new Promise((r) => setTimeout(r, 1));
      logger.info('inside');
    });
    logger.info('outside');
    expect(lines[0]).toMatchObject({ reqId: 'req-1', ticketReference: 'SUPPORT-7', msg: 'inside' });
    expect(lines[1]).not.toHaveProperty('reqId');
  });

  it("carries the active span's trace id", () => {
    const { lines, logger } = capture();
    const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
    context.with(trace.setSpanContext(context.active(), spanContext), () => logger.info('traced'));
    logger.info('untraced');
    expect(lines[0]).toMatchObject({ trace_id: spanContext.traceId, span_id: spanContext.spanId });
    expect(lines[1]).not.toHaveProperty('trace_id');
  });
});
