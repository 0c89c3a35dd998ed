import { Writable } from 'node:stream';
import type { Server } from 'node:http';
import express from 'express';
import { createServiceApp, loggableUrl } from './http';
import { closeServer, listen } from './lifecycle';
import { createLogger } from './logger';
import { metricsRegistry, routeLabel, watchOutboxBacklog } from './metrics';

describe('HTTP metrics', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const app = createServiceApp({
      logger: createLogger('test', 'silent'),
      readiness: [],
      readinessTimeoutMs: 100,
      metrics: true,
      routes: (a) => {
        const r = express.Router();
        r.get('/tickets/:reference', (req, res) => void res.json({ reference: req.params.reference }));
        r.get('/boom', () => {
          throw new Error('boom');
        });
        a.use('/v1', r);
      },
    });
    server = await listen(app, '127.0.0.1', 0);
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => closeServer(server));

  it('labels requests by route template and status, never by the raw path', async () => {
    await fetch(`${base}/v1/tickets/SUPPORT-41`);
    await fetch(`${base}/v1/tickets/SUPPORT-42`);
    await fetch(`${base}/v1/boom`);
    await fetch(`${base}/no/such/page/SUPPORT-43`);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain(
      'http_server_request_duration_seconds_count{method="GET",route="/v1/tickets/:reference",status_code="200"} 2',
    );
    expect(text).toContain(
      'http_server_request_duration_seconds_count{method="GET",route="/v1/boom",status_code="500"} 1',
    );
    expect(text).toContain('route="unmatched",status_code="404"} 1');
    expect(text).not.toMatch(/SUPPORT-4\d/);
    // Node's process metrics come with it.
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
  });

  it('does not measure the probes nor /metrics itself', async () => {
    await fetch(`${base}/healthz`);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).not.toMatch(/route="[^"]*(healthz|metrics)"/);
  });

  it('serves /metrics only where asked', async () => {
    const app = createServiceApp({ logger: createLogger('test', 'silent'), readiness: [], readinessTimeoutMs: 100 });
    const other = await listen(app, '127.0.0.1', 0);
    const address = other.address();
    const res = await fetch(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/metrics`);
    await closeServer(other);
    expect(res.status).toBe(404);
  });
});

describe('routeLabel', () => {
  it('joins the mount path and the route template', () => {
    expect(routeLabel({ baseUrl: '/api/v1', route: { path: '/tickets/:reference' } }, 200)).toBe(
      '/api/v1/tickets/:reference',
    );
    expect(routeLabel({ baseUrl: '', route: { path: '/' } }, 200)).toBe('/');
    expect(routeLabel({ baseUrl: '/assets' }, 200)).toBe('/assets/*');
    expect(routeLabel({}, 404)).toBe('unmatched');
  });
});

describe('outbox backlog gauge', () => {
  it('reads the waiting documents at each scrape until unwatched', async () => {
    let waiting = 3;
    const stop = watchOutboxBacklog('users', async () => waiting);
    expect(await metricsRegistry.getSingleMetricAsString('woop_outbox_backlog_documents')).toContain(
      'woop_outbox_backlog_documents{collection="users"} 3',
    );
    waiting = 0;
    expect(await metricsRegistry.getSingleMetricAsString('woop_outbox_backlog_documents')).toContain(
      'woop_outbox_backlog_documents{collection="users"} 0',
    );
    stop();
    expect(await metricsRegistry.getSingleMetricAsString('woop_outbox_backlog_documents')).not.toContain('users');
  });
});

describe('loggableUrl', () => {
  it('keeps the path and the names of the query, never its values', () => {
    expect(loggableUrl('/signup/complete?token=abc123&lang=fr')).toBe(
      '/signup/complete?token=[redacted]&lang=[redacted]',
    );
    expect(loggableUrl('/requests')).toBe('/requests');
  });
});

describe('request log context', () => {
  it("puts the request id and the path's ticket on the lines any logger writes during the request", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const logger = createLogger('tickets', 'info', sink);
    const app = createServiceApp({
      logger,
      readiness: [],
      readinessTimeoutMs: 100,
      routes: (a) =>
        a.get('/v1/tickets/:reference/history', async (_req, res) => {
          await new Promise((r) => setTimeout(r, 1));
          logger.info('reading the history');
          res.json({});
        }),
    });
    const server = await listen(app, '127.0.0.1', 0);
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await fetch(`http://127.0.0.1:${port}/v1/tickets/SUPPORT-9/history?q=secret`, {
      headers: { 'x-request-id': 'req-42' },
    });
    await closeServer(server);
    const line = lines.find((l) => l.msg === 'reading the history');
    expect(line).toMatchObject({ reqId: 'req-42', ticketReference: 'SUPPORT-9' });
    const access = lines.find((l) => l.msg === 'request completed');
    expect(access).toMatchObject({ reqId: 'req-42', req: { url: '/v1/tickets/SUPPORT-9/history?q=[redacted]' } });
    expect(JSON.stringify(lines)).not.toContain('secret');
  });
});
