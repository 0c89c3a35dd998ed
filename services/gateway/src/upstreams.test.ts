import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Request } from 'express';
import { ProblemError } from '@woop/service-kit';
import { loadGatewayConfig } from './config';
import { Upstreams } from './upstreams';

describe('the bounds on calls to the services', () => {
  let server: Server;
  let upstreams: Upstreams;
  const req = { id: 'r1', ip: '127.0.0.1', log: { warn: () => undefined } } as unknown as Request;

  beforeAll(async () => {
    // A tickets service that answers after 400 ms, as a create that waited its turn would.
    server = createServer((_req, res) => setTimeout(() => res.end('{"ok":true}'), 400));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    upstreams = new Upstreams(
      loadGatewayConfig({
        TICKETS_URL: `http://127.0.0.1:${port}`,
        UPSTREAM_TIMEOUT_MS: '100',
        UPSTREAM_CREATE_TIMEOUT_MS: '3000',
      }),
    );
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('gives up on an ordinary call at UPSTREAM_TIMEOUT_MS with a 503', async () => {
    const err = await upstreams.call('tickets', req, { method: 'GET', path: '/v1/tickets' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProblemError);
    expect(err).toMatchObject({ status: 503, code: 'service_unavailable' });
  });

  it('lets a create wait up to UPSTREAM_CREATE_TIMEOUT_MS', async () => {
    const res = await upstreams.call('tickets', req, { method: 'POST', path: '/v1/tickets', queued: true });
    expect(await res.json()).toEqual({ ok: true });
  });
});
