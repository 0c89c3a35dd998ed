import type { Server } from 'node:http';
import express from 'express';
import { createServiceApp } from './http';
import { closeServer, listen } from './lifecycle';
import { createLogger } from './logger';
import { ProblemError } from './problem';
import type { ReadinessCheck } from './readiness';

describe('createServiceApp', () => {
  let server: Server;
  let base: string;
  let smtpUp = true;
  const readiness: ReadinessCheck[] = [
    {
      name: 'smtp',
      check: async () => {
        if (!smtpUp) throw new Error('down');
      },
    },
  ];

  beforeAll(async () => {
    const app = createServiceApp({
      logger: createLogger('test', 'silent'),
      readiness,
      readinessTimeoutMs: 100,
      routes: (a) => {
        a.post('/echo', express.json({ limit: '1kb' }), (req, res) => void res.json(req.body));
        a.get('/boom', () => {
          throw new Error('secret internal detail at 10.0.0.5');
        });
        a.get('/database-down', () => {
          throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:27017'), { name: 'MongoServerSelectionError' });
        });
        a.get('/temporal-down', () => {
          const grpc = Object.assign(new Error('14 UNAVAILABLE'), { code: 14, details: 'No connection', metadata: {} });
          throw Object.assign(new Error('Failed to start workflow'), { name: 'ServiceError', cause: grpc });
        });
        a.get('/teapot', () => {
          throw new ProblemError(418, 'teapot', 'I am a teapot', 'Short and stout', [
            { path: 'spout', message: 'too short' },
          ]);
        });
      },
    });
    server = await listen(app, '127.0.0.1', 0);
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => closeServer(server));

  it('answers liveness and readiness, 503 with Retry-After while a server is down', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    smtpUp = false;
    const down = await fetch(`${base}/readyz`);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('5');
    expect(await down.json()).toEqual({ status: 'not_ready', checks: { smtp: 'down' } });
    smtpUp = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('keeps a well-formed X-Request-Id and replaces a malformed one', async () => {
    const kept = await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers.get('x-request-id')).toBe('abc-123');
    const replaced = await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'bad id\u00e9<script>' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes with a 404 problem+json', async () => {
    const res = await fetch(`${base}/nope`, { headers: { 'x-request-id': 'r-404' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 404, code: 'not_found', instance: '/nope', requestId: 'r-404' });
  });

  it('maps a ProblemError to its status, code and field errors', async () => {
    const res = await fetch(`${base}/teapot`);
    expect(res.status).toBe(418);
    expect(await res.json()).toMatchObject({
      code: 'teapot',
      title: 'I am a teapot',
      detail: 'Short and stout',
      errors: [{ path: 'spout', message: 'too short' }],
    });
  });

  it('hides unexpected errors behind a 500 without internals', async () => {
    const res = await fetch(`${base}/boom`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ code: 'internal_error' });
    expect(text).not.toMatch(/10\.0\.0\.5|secret|at /);
  });

  it('answers 503 with Retry-After when a server it needs is down, without its address', async () => {
    for (const path of ['/database-down', '/temporal-down']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ code: 'service_unavailable' });
      expect(text).not.toMatch(/10\.0\.0\.5|ECONNREFUSED|UNAVAILABLE/);
    }
  });

  it('answers malformed and oversized JSON bodies with stable codes', async () => {
    const post = (body: string) =>
      fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const malformed = await post('{"a":');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: 'malformed_json' });
    const large = await post(JSON.stringify({ a: 'x'.repeat(2048) }));
    expect(large.status).toBe(413);
    expect(await large.json()).toMatchObject({ code: 'payload_too_large' });
  });

  it('sets security headers', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});
