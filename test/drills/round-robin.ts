import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The scale-out drill's load balancer: a small HTTP proxy that sends each request to the next
 * of its targets in turn, as a balancer in front of the copies of a service would.
 *
 * - A target that refuses the connection (a copy that is dead) is skipped and the request sent
 *   to the next one: nothing of it reached the dead copy, so that is safe for any request (what
 *   nginx's `proxy_next_upstream error` and other balancers' passive health checks do).
 * - A target that dies once it has the request (the connection reset, no answer or half an
 *   answer) may have acted on it, so the request is not sent again: the client's connection is
 *   closed, and the client retries with its Idempotency-Key, as it would without a balancer.
 * - The client's address is passed on in `X-Forwarded-For` (replacing any it sent), so a
 *   gateway that trusts the balancer (`TRUST_PROXY=loopback`) counts each client's limits.
 *
 * Bodies are read whole before they are sent (the drills' are small JSON), so that a refused
 * connection can be retried.
 */
export interface Balancer {
  url: string;
  /** Requests answered by each target (by index), for the report. */
  served: number[];
  close(): Promise<void>;
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'];

export async function roundRobin(targets: readonly string[]): Promise<Balancer> {
  const urls = targets.map((t) => new URL(t));
  const served = urls.map(() => 0);
  let next = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers: IncomingHttpHeaders = { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '' };
      for (const h of HOP_BY_HOP) delete headers[h];
      headers['content-length'] = String(body.length);
      const first = next;
      next = (next + 1) % urls.length;
      const attempt = (tried: number) => {
        const i = (first + tried) % urls.length;
        const target = urls[i]!;
        let answered = false;
        const out = request(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
          (upstream) => {
            answered = true;
            res.writeHead(upstream.statusCode ?? 502, upstream.statusMessage, stripHopByHop(upstream.headers));
            upstream.pipe(res);
            upstream.on('end', () => (served[i] = (served[i] ?? 0) + 1));
            // Died in the middle of its answer: the client sees the connection close.
            upstream.on('aborted', () => res.destroy());
            upstream.on('error', () => res.destroy());
          },
        );
        out.on('error', (err: NodeJS.ErrnoException) => {
          if (answered) return res.destroy();
          if (err.code === 'ECONNREFUSED' && tried + 1 < urls.length) return attempt(tried + 1);
          // Every copy refuses, or this one died with the request: the client retries.
          res.destroy();
        });
        out.end(body);
      };
      attempt(0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function stripHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out = { ...headers };
  for (const h of HOP_BY_HOP) delete out[h];
  return out;
}
