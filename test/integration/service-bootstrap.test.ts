import { join } from 'node:path';
import { freePort, spawnNode, waitForStatus, type Spawned } from '../support/processes';

const MAILDEV = join('node_modules', 'maildev', 'dist', 'bin', 'maildev.js');

describe('service bootstrap, on a real service process', () => {
  const running: Spawned[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop()));
  }, 20_000);

  it('answers /readyz 503 while its SMTP server is down, 200 once it is up, 503 after it stops', async () => {
    const [smtpPort, webPort, port] = [await freePort(), await freePort(), await freePort()];
    const service = spawnNode('services/notifications/dist/main.js', [], {
      NOTIFICATIONS_PORT: String(port),
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    });
    running.push(service);
    const readyz = `http://127.0.0.1:${port}/readyz`;

    await waitForStatus(`http://127.0.0.1:${port}/healthz`, 200);
    // Its consumers (events, and the email channel's mail) may still be joining their groups at
    // this point: up or down, they are listed.
    expect(await waitForStatus(readyz, 503)).toMatchObject({
      status: 'not_ready',
      checks: {
        mongodb: 'up',
        kafka: 'up',
        smtp: 'down',
        'notifications-consumer': expect.any(String),
        'notifications-mail-consumer': expect.any(String),
      },
    });

    const catcher = spawnNode(
      MAILDEV,
      ['--ip', '127.0.0.1', '--smtp', String(smtpPort), '--web-ip', '127.0.0.1', '--web', String(webPort)],
      {},
    );
    running.push(catcher);
    expect(await waitForStatus(readyz, 200)).toEqual({
      status: 'ready',
      checks: {
        mongodb: 'up',
        kafka: 'up',
        smtp: 'up',
        'notifications-consumer': 'up',
        'notifications-mail-consumer': 'up',
      },
    });

    await catcher.stop();
    await waitForStatus(readyz, 503);
  });

  it('shuts down gracefully on SIGTERM with exit code 0', async () => {
    const port = await freePort();
    const gateway = spawnNode('services/gateway/dist/main.js', [], { GATEWAY_PORT: String(port), LOG_LEVEL: 'info' });
    await waitForStatus(`http://127.0.0.1:${port}/healthz`, 200);
    expect(await gateway.stop()).toBe(0);
    expect(gateway.output()).toContain('"msg":"stopped"');
  });

  it('exports a trace span for each request when tracing is on', async () => {
    const port = await freePort();
    const gateway = spawnNode('services/gateway/dist/main.js', [], {
      GATEWAY_PORT: String(port),
      OTEL_TRACES_EXPORTER: 'console',
    });
    running.push(gateway);
    await waitForStatus(`http://127.0.0.1:${port}/healthz`, 200);
    const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { 'x-request-id': 'trace-me-1' } });
    expect(res.headers.get('x-request-id')).toBe('trace-me-1');
    const deadline = Date.now() + 10_000;
    while (!/traceId/.test(gateway.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(gateway.output()).toMatch(/traceId: '[0-9a-f]{32}'/);
    expect(gateway.output()).toMatch(/'http\.route': '\/'/);
  });

  it('refuses to start with a bad configuration and names the variable, not its value', async () => {
    const bad = spawnNode('services/identity/dist/main.js', [], { IDENTITY_PORT: 'not-a-port-s3cret' });
    expect(await new Promise((r) => bad.child.once('exit', r))).toBe(1);
    expect(bad.output()).toContain('IDENTITY_PORT');
    expect(bad.output()).not.toContain('s3cret');
  });
});
