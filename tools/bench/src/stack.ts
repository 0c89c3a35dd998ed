import { waitReady } from './http';
import { freePort, pidListeningOn, spawnService, type Child } from './processes';

/** Where the bench finds the system under test. */
export interface Stack {
  /** `running`: the stack `npm start` runs; `private`: copies of the services the bench started. */
  kind: 'running' | 'private';
  gateway: string;
  identityUrl: string;
  notificationsUrl: string;
  temporalAddress: string;
  namespace: string;
  ticketsTaskQueue: string;
  mongoUri: string;
  ticketsDb: string;
  kafkaBrokers: string[];
  mailApi: string;
  smtpUrl: string;
  /** Consumer group of the notifications service (its lag on the ticket events). */
  notificationsGroup: string;
  /** Pid of the tickets worker process (its RSS is read from /proc). */
  workerPid(): number | undefined;
  stop(): Promise<void>;
}

const env = process.env;
const host = '127.0.0.1';
export const servers = () => ({
  temporalAddress: env.TEMPORAL_ADDRESS ?? `${host}:${env.TEMPORAL_PORT ?? 7233}`,
  namespace: env.TEMPORAL_NAMESPACE ?? 'default',
  mongoUri: env.MONGODB_URI ?? `mongodb://${host}:${env.FERRETDB_PORT ?? 27017}`,
  kafkaBrokers: (env.KAFKA_BROKERS ?? `${host}:${env.KAFKA_PORT ?? 9092}`).split(',').map((s) => s.trim()),
  mailApi: env.MAILCATCHER_API_URL ?? `http://${host}:${env.MAILCATCHER_WEB_PORT ?? 1080}/api`,
  smtpUrl: env.SMTP_URL ?? `smtp://${host}:${env.MAILCATCHER_SMTP_PORT ?? 1025}`,
});

async function ready(c: Child, url: string, timeoutMs = 120_000) {
  try {
    await waitReady(url, timeoutMs, () => c.child.exitCode === null && c.child.signalCode === null);
  } catch (err) {
    throw new Error(`${c.name} did not become ready: ${String(err)}\n--- its output ---\n${c.output().slice(-4_000)}`, {
      cause: err,
    });
  }
}

const highLimits = {
  RATE_LIMIT_IP_PER_MINUTE: '10000000',
  RATE_LIMIT_USER_PER_MINUTE: '10000000',
  RATE_LIMIT_AUTH_PER_MINUTE: '10000',
};

/** The stack `npm start` runs, found at its usual addresses (or the *_URL / *_PORT variables). */
export async function runningStack(): Promise<Stack | undefined> {
  const gateway = env.BENCH_GATEWAY_URL ?? `http://${host}:${env.GATEWAY_PORT ?? 3000}`;
  try {
    const res = await fetch(`${gateway}/readyz`, { signal: AbortSignal.timeout(5_000) });
    if (res.status !== 200) return undefined;
  } catch {
    return undefined;
  }
  const workerPort = Number(env.TICKETS_WORKER_PORT ?? 3004);
  return {
    kind: 'running',
    gateway,
    identityUrl: env.IDENTITY_URL ?? `http://${host}:${env.IDENTITY_PORT ?? 3001}`,
    notificationsUrl: env.NOTIFICATIONS_URL ?? `http://${host}:${env.NOTIFICATIONS_PORT ?? 3003}`,
    ticketsTaskQueue: env.TICKETS_TASK_QUEUE ?? 'tickets',
    ticketsDb: env.TICKETS_DB ?? 'tickets',
    notificationsGroup: env.NOTIFICATIONS_GROUP_ID ?? 'notifications',
    ...servers(),
    workerPid: () => pidListeningOn(workerPort),
    stop: async () => undefined,
  };
}

/**
 * Copies of the five services from this checkout's dist/, on free ports, with databases, a
 * task queue and consumer groups of their own (named after `run`), on the running servers:
 * what `--quick` and `--own-services` measure. `beforeSeed` runs once the notifications
 * service consumes, so it learns the demo accounts the seed then publishes.
 */
export async function privateStack(run: string, beforeSeed: (groupId: string) => Promise<void>): Promise<Stack> {
  const s = servers();
  const [gw, id, tk, nt, wk] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const gateway = `http://${host}:${gw}`;
  const common = {
    TEMPORAL_ADDRESS: s.temporalAddress,
    TEMPORAL_NAMESPACE: s.namespace,
    KAFKA_BROKERS: s.kafkaBrokers.join(','),
    MONGODB_URI: s.mongoUri,
    SMTP_URL: s.smtpUrl,
  };
  const db = (service: string) => `bench_${run}_${service}`;
  const identityVars = { ...common, IDENTITY_PORT: String(id), MONGODB_DB: db('identity'), PORTAL_URL: gateway };
  const ticketsVars = {
    ...common,
    MONGODB_DB: db('tickets'),
    TICKETS_TASK_QUEUE: `bench-${run}`,
    TICKETS_GROUP_ID: `bench-${run}-tickets`,
    // References are workflow ids in a namespace other runs and tests share: start far from theirs.
    TICKET_REFERENCE_FLOOR: String(Date.now() * 10 + 5_000_000),
  };
  const notificationsGroup = `bench-${run}-notifications`;
  const children: Child[] = [];
  const stop = async () => {
    for (const c of [...children].reverse()) await c.stop();
  };
  try {
    const identity = spawnService('identity', 'services/identity/dist/main.js', identityVars);
    children.push(identity);
    const tickets = spawnService('tickets', 'services/tickets/dist/api/main.js', {
      ...ticketsVars,
      TICKETS_PORT: String(tk),
    });
    children.push(tickets);
    const worker = spawnService('tickets-worker', 'services/tickets/dist/worker/main.js', {
      ...ticketsVars,
      TICKETS_WORKER_PORT: String(wk),
    });
    children.push(worker);
    const notifications = spawnService('notifications', 'services/notifications/dist/main.js', {
      ...common,
      NOTIFICATIONS_PORT: String(nt),
      MONGODB_DB: db('notifications'),
      NOTIFICATIONS_GROUP_ID: notificationsGroup,
      // Only this run's events: the topics hold every earlier run's and test's.
      NOTIFICATIONS_FROM_BEGINNING: 'false',
      PORTAL_URL: gateway,
    });
    children.push(notifications);
    const gatewayChild = spawnService('gateway', 'services/gateway/dist/main.js', {
      ...common,
      GATEWAY_PORT: String(gw),
      MONGODB_DB: db('gateway'),
      IDENTITY_URL: `http://${host}:${id}`,
      TICKETS_URL: `http://${host}:${tk}`,
      NOTIFICATIONS_URL: `http://${host}:${nt}`,
      ...highLimits,
    });
    children.push(gatewayChild);
    await ready(identity, `http://${host}:${id}/readyz`);
    await ready(tickets, `http://${host}:${tk}/readyz`);
    await ready(worker, `http://${host}:${wk}/readyz`);
    await ready(notifications, `http://${host}:${nt}/readyz`);
    await ready(gatewayChild, `${gateway}/readyz`);
    await beforeSeed(notificationsGroup);
    const seed = spawnService('seed', 'services/identity/dist/seed.js', identityVars);
    const code = await new Promise<number | null>((r) => seed.child.once('exit', (c) => r(c)));
    if (code !== 0) throw new Error(`seeding the demo accounts failed:\n${seed.output()}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    kind: 'private',
    gateway,
    identityUrl: `http://${host}:${id}`,
    notificationsUrl: `http://${host}:${nt}`,
    ticketsTaskQueue: ticketsVars.TICKETS_TASK_QUEUE,
    ticketsDb: ticketsVars.MONGODB_DB,
    notificationsGroup,
    ...s,
    workerPid: () => children.find((c) => c.name === 'tickets-worker')?.child.pid,
    stop,
  };
}

/**
 * A tickets API and a gateway in front of it, on a database of the bench's own (the lists'
 * seeded rows), with the stack's identity for logins: the lists go through the same code as the
 * stack's without touching its data.
 */
export async function listsPair(
  stack: Stack,
  run: string,
  dbName: string,
): Promise<{ gateway: string; stop(): Promise<void> }> {
  const [gw, tk] = await Promise.all([freePort(), freePort()]);
  const common = {
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_NAMESPACE: stack.namespace,
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    MONGODB_URI: stack.mongoUri,
  };
  const tickets = spawnService('lists-tickets', 'services/tickets/dist/api/main.js', {
    ...common,
    TICKETS_PORT: String(tk),
    MONGODB_DB: dbName,
    TICKETS_TASK_QUEUE: `bench-${run}-lists`,
    TICKETS_GROUP_ID: `bench-${run}-lists`,
    TICKETS_USERS_FROM_BEGINNING: 'false',
  });
  const gateway = spawnService('lists-gateway', 'services/gateway/dist/main.js', {
    ...common,
    GATEWAY_PORT: String(gw),
    MONGODB_DB: `${dbName}_gateway`,
    IDENTITY_URL: stack.identityUrl,
    TICKETS_URL: `http://${host}:${tk}`,
    NOTIFICATIONS_URL: stack.notificationsUrl,
    ...highLimits,
  });
  const stop = async () => {
    await gateway.stop();
    await tickets.stop();
  };
  try {
    await ready(tickets, `http://${host}:${tk}/readyz`);
    await ready(gateway, `http://${host}:${gw}/readyz`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { gateway: `http://${host}:${gw}`, stop };
}
