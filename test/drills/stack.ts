import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ROOT, spawnNode, waitForStatus, type Spawned } from '../support/processes';
import { roundRobin, type Balancer } from './round-robin';

/**
 * A whole private system for the fault drills: its own Temporal, Kafka, database and mail
 * catcher, started by the same deploy/local scripts as `npm start` but on free ports and in a
 * data directory of its own (so a drill may stop a server without touching the shared ones),
 * and every service as a child process that a drill may kill and start again.
 *
 * A service may run in several copies (`copies`), on ports of their own against the same
 * servers; the services then reach a service of several copies through a round-robin in front
 * of them (./round-robin.ts), and `gateway` is the round-robin in front of the gateways.
 */
export const SERVICE_ENTRIES = {
  identity: 'services/identity/dist/main.js',
  tickets: 'services/tickets/dist/api/main.js',
  worker: 'services/tickets/dist/worker/main.js',
  notifications: 'services/notifications/dist/main.js',
  gateway: 'services/gateway/dist/main.js',
} as const;
export type ServiceName = keyof typeof SERVICE_ENTRIES;
export type ServerName = 'temporal' | 'kafka' | 'ferretdb' | 'mailcatcher';

export interface StackOptions {
  /** How many copies of each service run (1 unless said). */
  copies?: Partial<Record<ServiceName, number>>;
  /** Settings of every service, over the drills' own (below; e.g. OTEL_TRACES_EXPORTER=zipkin). */
  env?: Record<string, string>;
  /** Settings of the servers' scripts over the drills' own (e.g. ZIPKIN_HEAP). */
  serverEnv?: Record<string, string>;
}

export interface PrivateStack {
  /** Where clients go: the gateway, or the round-robin in front of its copies. */
  gateway: string;
  /** The private Zipkin (started with the servers; the services export to it only when asked). */
  zipkin: string;
  /** The private servers' data directory (pid files in run/, logs in logs/). */
  dataDir: string;
  /** What deploy/local scripts need to reach the private servers (ports, WOOP_DATA_DIR). */
  scriptEnv: NodeJS.ProcessEnv;
  mailApi: string;
  kafkaBrokers: string;
  mongoUri: string;
  /** Each copy's own address (the worker's: its health port). */
  urls(name: ServiceName): string[];
  /** Kills a copy of a service (the first unless said) with SIGKILL (no drain, no flush: a crash). */
  kill(name: ServiceName, copy?: number): void;
  start(name: ServiceName, copy?: number): Promise<void>;
  stopServer(name: ServerName): void;
  startServer(name: ServerName): void;
  down(): Promise<void>;
}

const SERVER_PORT_VARS = [
  'TEMPORAL_PORT',
  'TEMPORAL_UI_PORT',
  'KAFKA_PORT',
  'KAFKA_CONTROLLER_PORT',
  'FERRETDB_PORT',
  'FERRETDB_DEBUG_PORT',
  'MAILCATCHER_SMTP_PORT',
  'MAILCATCHER_WEB_PORT',
  'POSTGRES_PORT',
  'IMAP_PORT',
  'ZIPKIN_PORT',
] as const;
const SERVICE_PORT_VARS = {
  identity: 'IDENTITY_PORT',
  tickets: 'TICKETS_PORT',
  worker: 'TICKETS_WORKER_PORT',
  notifications: 'NOTIFICATIONS_PORT',
  gateway: 'GATEWAY_PORT',
} as const;

/** Each service process's output, kept in .data/drills/logs/<service>-<n>.log for a post-mortem. */
const LOGS = join(process.env.WOOP_DATA_DIR ?? join(ROOT, '.data'), 'drills', 'logs');
const runs = new Map<string, number>();
function keepLog(name: string, s: Spawned) {
  const n = (runs.get(name) ?? 0) + 1;
  runs.set(name, n);
  mkdirSync(LOGS, { recursive: true });
  writeFileSync(join(LOGS, `${name}-${n}.log`), s.output());
}

export async function startPrivateStack(
  log: (line: string) => void = () => {},
  opts: StackOptions = {},
): Promise<PrivateStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'woop-drills-'));
  const names = [...SERVER_PORT_VARS, ...Object.values(SERVICE_PORT_VARS)];
  const free = await Promise.all(names.map(() => freePort()));
  const ports = Object.fromEntries(names.map((v, i) => [v, String(free[i])]));
  const scriptEnv = {
    ...process.env,
    ...ports,
    WOOP_DATA_DIR: dataDir,
    KAFKA_BROKERS: `127.0.0.1:${ports.KAFKA_PORT}`,
    TEMPORAL_ADDRESS: `127.0.0.1:${ports.TEMPORAL_PORT}`,
    MONGODB_URI: `mongodb://127.0.0.1:${ports.FERRETDB_PORT}`,
    SMTP_URL: `smtp://127.0.0.1:${ports.MAILCATCHER_SMTP_PORT}`,
    ...opts.serverEnv,
  };
  const script = (name: string, action: string) =>
    execFileSync('bash', [join(ROOT, 'deploy/local', `${name}.sh`), action], { env: scriptEnv, stdio: 'pipe' });

  const running = new Map<string, Spawned>();
  const balancers: Balancer[] = [];
  const down = async () => {
    for (const [name, s] of running) {
      await s.stop();
      keepLog(name, s);
    }
    running.clear();
    await Promise.all(balancers.map((b) => b.close()));
    try {
      execFileSync('bash', [join(ROOT, 'deploy/local/stack.sh'), 'down'], { env: scriptEnv, stdio: 'pipe' });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
  try {
    log(`private servers in ${dataDir}`);
    execFileSync('bash', [join(ROOT, 'deploy/local/stack.sh'), 'infra'], { env: scriptEnv, stdio: 'pipe' });
    const stack = await startServices(ports, dataDir, running, balancers, script, down, log, opts);
    return { ...stack, scriptEnv };
  } catch (err) {
    await down().catch(() => undefined);
    throw err;
  }
}

async function startServices(
  ports: Record<string, string>,
  dataDir: string,
  running: Map<string, Spawned>,
  balancers: Balancer[],
  script: (name: string, action: string) => unknown,
  down: () => Promise<void>,
  log: (line: string) => void,
  opts: StackOptions,
): Promise<Omit<PrivateStack, 'scriptEnv'>> {
  const names = Object.keys(SERVICE_ENTRIES) as ServiceName[];
  // Copy 0 on the port chosen with the servers', the others on ports of their own.
  const copyPorts = {} as Record<ServiceName, string[]>;
  for (const name of names) {
    const extra = Math.max(0, (opts.copies?.[name] ?? 1) - 1);
    const more = await Promise.all(Array.from({ length: extra }, () => freePort()));
    copyPorts[name] = [ports[SERVICE_PORT_VARS[name]]!, ...more.map(String)];
  }
  const urls = (name: ServiceName) => copyPorts[name].map((p) => `http://127.0.0.1:${p}`);
  const front = async (name: ServiceName) => {
    if (copyPorts[name].length === 1) return urls(name)[0]!;
    const balancer = await roundRobin(urls(name));
    balancers.push(balancer);
    return balancer.url;
  };
  const gateway = await front('gateway');
  const env: Record<string, string> = {
    ...ports,
    WOOP_DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: `127.0.0.1:${ports.TEMPORAL_PORT}`,
    KAFKA_BROKERS: `127.0.0.1:${ports.KAFKA_PORT}`,
    MONGODB_URI: `mongodb://127.0.0.1:${ports.FERRETDB_PORT}`,
    SMTP_URL: `smtp://127.0.0.1:${ports.MAILCATCHER_SMTP_PORT}`,
    IDENTITY_URL: await front('identity'),
    TICKETS_URL: await front('tickets'),
    NOTIFICATIONS_URL: await front('notifications'),
    PORTAL_URL: gateway,
    // The drills' bursts come from one address and one person: the limits are not under test.
    RATE_LIMIT_IP_PER_MINUTE: '1000000',
    RATE_LIMIT_USER_PER_MINUTE: '1000000',
    RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
    // A client validation window of about a minute, whatever the time of the run: the Temporal
    // drill's durable timer (a resolved request validated on its own) is due after the restart.
    TICKET_CALENDAR: 'round-the-clock',
    TICKET_VALIDATION_WINDOW_DAYS: '0.0008',
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_EXPORTER_ZIPKIN_ENDPOINT: `http://127.0.0.1:${ports.ZIPKIN_PORT}/api/v2/spans`,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    ...opts.env,
  };
  execFileSync(process.execPath, [join(ROOT, 'services/identity/dist/seed.js')], {
    env: { ...process.env, ...env },
    stdio: 'pipe',
  });

  const key = (name: ServiceName, copy: number) => (copy === 0 ? name : `${name}.${copy + 1}`);
  const start = async (name: ServiceName, copy = 0) => {
    const port = copyPorts[name][copy]!;
    running.set(key(name, copy), spawnNode(SERVICE_ENTRIES[name], [], { ...env, [SERVICE_PORT_VARS[name]]: port }));
    await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 120_000);
  };
  for (const name of ['identity', 'tickets', 'worker', 'notifications', 'gateway'] as const) {
    await Promise.all(copyPorts[name].map((_, copy) => start(name, copy)));
  }
  log('private services ready');

  return {
    gateway,
    zipkin: `http://127.0.0.1:${ports.ZIPKIN_PORT}`,
    dataDir,
    mailApi: `http://127.0.0.1:${ports.MAILCATCHER_WEB_PORT}/api`,
    kafkaBrokers: env.KAFKA_BROKERS!,
    mongoUri: env.MONGODB_URI!,
    urls,
    kill(name, copy = 0) {
      const s = running.get(key(name, copy));
      s?.child.kill('SIGKILL');
      if (s) keepLog(key(name, copy), s);
      running.delete(key(name, copy));
    },
    start,
    stopServer: (name) => void script(name, 'stop'),
    startServer: (name) => void script(name, 'start'),
    down,
  };
}
