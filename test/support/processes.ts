import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

/**
 * The lowest local port the kernel gives outgoing connections. A port chosen with `listen(0)`
 * comes from that range, and once released any connection may take it before the server meant
 * for it binds: the drills' PostgreSQL found its port held so in CI ("Address already in use").
 * Ports are chosen below it.
 */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (low > 12_000) return low;
  } catch {
    // not Linux: the IANA range's start
  }
  return 49_152;
}

const canListen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });

async function anyFreePort(): Promise<number> {
  const low = 10_000;
  const high = ephemeralLow() - 1;
  for (let tries = 0; tries < 500; tries++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port found below ${high + 1}`);
}

/** Ports this test process already handed out: the kernel may offer a closed one again. */
const handedOut = new Set<number>();

/** A free port on loopback, never one this process handed out before (so two calls differ). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await anyFreePort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

export interface Spawned {
  child: ChildProcess;
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Runs a built entry point (e.g. services/gateway/dist/main.js) as its own process. */
export function spawnNode(entry: string, args: string[], env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, [join(ROOT, entry), ...args], {
    // Fixed metrics ports would meet the running stack's (or another test's): any free one, or
    // none, unless the test asks.
    env: { ...process.env, LOG_LEVEL: 'warn', GATEWAY_METRICS_PORT: '0', TEMPORAL_SDK_METRICS_ADDRESS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Polls `url` until it answers `status` (fetch errors count as "not yet"). */
export async function waitForStatus(url: string, status: number, timeoutMs = 30_000): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      const body = await res.json();
      if (res.status === status) return body;
      last = `${res.status} ${JSON.stringify(body)}`;
    } catch (err) {
      last = String(err);
    }
    if (Date.now() > deadline)
      throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
