import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/** The bench's processes: the services it starts, and what it reads of processes from /proc. */

/** The repository root, from tools/bench/dist. */
export const ROOT = resolve(__dirname, '..', '..', '..');

const host = '127.0.0.1';

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, host, () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? ok(address.port) : fail(new Error('no port'))));
    });
  });
}

/** The pid of the process listening on a local TCP port (same user), from /proc. */
export function pidListeningOn(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A') continue; // 0A: LISTEN
      if (parseInt(cols[1]!.split(':')[1]!, 16) === port) inodes.add(cols[9]!);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) return Number(pid);
      } catch {
        /* gone or not ours */
      }
    }
  }
  return undefined;
}

export interface Child {
  name: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Runs a built entry point of the repository as its own process, its output kept for errors. */
export function spawnService(name: string, entry: string, vars: Record<string, string>): Child {
  const child = spawn(process.execPath, [join(ROOT, entry)], {
    // No metrics listeners of their own: the gateway's (3100) and the worker's SDK port (3104) are
    // the running stack's, and the bench starts two gateways.
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      OTEL_TRACES_EXPORTER: 'none',
      GATEWAY_METRICS_PORT: '0',
      TEMPORAL_SDK_METRICS_ADDRESS: '',
      ...vars,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  // Its whole output in a file too (.data/bench/logs/), for a post-mortem of a long run.
  const logs = join(process.env.WOOP_DATA_DIR ?? join(ROOT, '.data'), 'bench', 'logs');
  mkdirSync(logs, { recursive: true });
  const file = createWriteStream(join(logs, `${name}-${child.pid}.log`));
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
    file.write(d);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let stopping = false;
  const exited = new Promise<void>((r) =>
    child.once('exit', (code, signal) => {
      file.end();
      // A service that dies mid-run stalls the sections after it: said at once, with why (a
      // one-off like the seed ends with 0).
      if (!stopping && code !== 0) {
        process.stderr.write(
          `[bench] ${name} (pid ${child.pid}) exited by itself (${signal ?? `code ${code}`}); its last output:\n${out.slice(-2_000)}\n`,
        );
      }
      r();
    }),
  );
  return {
    name,
    child,
    output: () => out,
    async stop() {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Resident memory of a process, in MiB (VmRSS of /proc/<pid>/status). */
export function rssMiB(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}
