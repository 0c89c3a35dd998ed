import { randomBytes } from 'node:crypto';
import {
  DEVELOPMENT_IMAP_PASSWORD,
  DEVELOPMENT_MAIL_REPLY_KEY,
  DEVELOPMENT_SEALING_KEY,
  DEVELOPMENT_SECRET,
} from '@woop/service-kit';
import { uniqueId } from '../support/ids';
import { freePort, spawnNode, waitForStatus, type Spawned } from '../support/processes';

/**
 * Issue 23, finding 1: docker-compose.yml ran every service with NODE_ENV=production and
 * defaults for its secrets, and the services only refused the in-code development value. Each
 * built entry point, in production, must refuse to start with any secret missing or set to a
 * value published with this project (the development values, compose's old defaults), name the
 * variable and never print the value; with secrets of its own it starts.
 */
const COMPOSE_OLD_SECRET = 'compose-stack-secret-replace-me-0123456789';
const COMPOSE_OLD_SEALING_KEY = 'Y29tcG9zZS1zdGFjay1rZXktcmVwbGFjZS1tZS0wMTI=';

const SERVICES = {
  identity: {
    entry: 'services/identity/dist/main.js',
    port: 'IDENTITY_PORT',
    sealing: true,
    temporal: false,
    mailReply: false,
  },
  // Opens the satisfaction links of the emails (MAIL_REPLY_KEY); the worker shares its configuration.
  tickets: {
    entry: 'services/tickets/dist/api/main.js',
    port: 'TICKETS_PORT',
    sealing: false,
    temporal: true,
    mailReply: true,
  },
  'tickets-worker': {
    entry: 'services/tickets/dist/worker/main.js',
    port: 'TICKETS_WORKER_PORT',
    sealing: false,
    temporal: true,
    mailReply: true,
  },
  // Signs the reply tokens of the emails about a request (MAIL_REPLY_KEY).
  notifications: {
    entry: 'services/notifications/dist/main.js',
    port: 'NOTIFICATIONS_PORT',
    sealing: true,
    temporal: false,
    mailReply: true,
  },
  gateway: {
    entry: 'services/gateway/dist/main.js',
    port: 'GATEWAY_PORT',
    sealing: false,
    temporal: true,
    mailReply: false,
  },
  // The email channel's reader: the reply-token key and the support mailbox's password.
  inbound: {
    entry: 'services/inbound/dist/main.js',
    port: 'INBOUND_PORT',
    sealing: false,
    temporal: false,
    mailReply: true,
  },
} as const;
type Service = keyof typeof SERVICES;

const secretsOf = (service: Service): Record<string, string> => ({
  INTERNAL_AUTH_SECRET: randomBytes(32).toString('hex'),
  ...(SERVICES[service].sealing ? { LINK_SEALING_KEY: randomBytes(32).toString('base64') } : {}),
  // Temporal's payload keys (the development one is refused in production: payload-codec's tests).
  ...(SERVICES[service].temporal ? { TEMPORAL_PAYLOAD_KEYS: `k1:${randomBytes(32).toString('base64')}` } : {}),
  ...(SERVICES[service].mailReply ? { MAIL_REPLY_KEY: randomBytes(32).toString('base64') } : {}),
  ...(service === 'inbound' ? { IMAP_PASSWORD: randomBytes(18).toString('base64') } : {}),
});

/** Production, isolated from the other tests: its own database, groups and task queue. */
const productionEnv = async (service: Service): Promise<Record<string, string>> => {
  const id = uniqueId('secrets');
  return {
    NODE_ENV: 'production',
    [SERVICES[service].port]: String(await freePort()),
    MONGODB_DB: id,
    TICKETS_TASK_QUEUE: id,
    TICKETS_GROUP_ID: id,
    TICKETS_USERS_FROM_BEGINNING: 'false',
    NOTIFICATIONS_GROUP_ID: id,
    NOTIFICATIONS_FROM_BEGINNING: 'false',
    SMTP_URL: `smtp://127.0.0.1:${await freePort()}`,
    // No mailbox there: the reader keeps trying, the process runs.
    IMAP_PORT: String(await freePort()),
    LOG_LEVEL: 'info',
  };
};

/**
 * How a process given a bad configuration ends: its exit code, or 'listening' if it got past its
 * configuration and opened its port (then it is stopped), within 60 s (a loaded machine).
 */
async function outcomeOf(p: Spawned): Promise<number | null | 'listening'> {
  // Called right after the spawn: 'close' (exit, and every byte it printed read) is still to come.
  const closed = new Promise((r) => p.child.once('close', r));
  const deadline = Date.now() + 60_000;
  while (p.child.exitCode === null && !/ listening"/.test(p.output()) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (p.child.exitCode !== null) {
    await closed;
    return p.child.exitCode;
  }
  await p.stop();
  return 'listening';
}

interface Case {
  name: string;
  /** What the environment has instead of the secret (undefined: not set at all). */
  value: string | undefined;
  what: string;
  services: Service[];
}
const ALL = Object.keys(SERVICES) as Service[];
const SEALERS = ALL.filter((s) => SERVICES[s].sealing);
const MAIL_REPLIERS = ALL.filter((s) => SERVICES[s].mailReply);
const cases: Case[] = [
  { name: 'INTERNAL_AUTH_SECRET', value: undefined, what: 'missing', services: ALL },
  { name: 'INTERNAL_AUTH_SECRET', value: '', what: 'empty', services: ALL },
  { name: 'INTERNAL_AUTH_SECRET', value: DEVELOPMENT_SECRET, what: 'the development value', services: ALL },
  { name: 'INTERNAL_AUTH_SECRET', value: COMPOSE_OLD_SECRET, what: 'compose’s old default', services: ALL },
  { name: 'LINK_SEALING_KEY', value: undefined, what: 'missing', services: SEALERS },
  { name: 'LINK_SEALING_KEY', value: DEVELOPMENT_SEALING_KEY, what: 'the development value', services: SEALERS },
  { name: 'LINK_SEALING_KEY', value: COMPOSE_OLD_SEALING_KEY, what: 'compose’s old default', services: SEALERS },
  {
    name: 'LINK_SEALING_PREVIOUS_KEYS',
    value: COMPOSE_OLD_SEALING_KEY,
    what: 'compose’s old default',
    services: ['notifications'],
  },
  { name: 'MAIL_REPLY_KEY', value: undefined, what: 'missing', services: MAIL_REPLIERS },
  { name: 'MAIL_REPLY_KEY', value: DEVELOPMENT_MAIL_REPLY_KEY, what: 'the development value', services: MAIL_REPLIERS },
  { name: 'IMAP_PASSWORD', value: undefined, what: 'missing', services: ['inbound'] },
  { name: 'IMAP_PASSWORD', value: DEVELOPMENT_IMAP_PASSWORD, what: 'the development value', services: ['inbound'] },
];
const rows = cases.flatMap((c) => c.services.map((service) => [service, c.name, c.what, c] as const));

describe('production secrets, on each real service process', () => {
  beforeAll(() => {
    // The children start from this process's environment: a secret missing here is missing there.
    for (const name of [
      'INTERNAL_AUTH_SECRET',
      'LINK_SEALING_KEY',
      'LINK_SEALING_PREVIOUS_KEYS',
      'MAIL_REPLY_KEY',
      'IMAP_PASSWORD',
    ])
      delete process.env[name];
  });

  it.each(rows)('%s refuses to start with %s %s, naming it and not printing it', async (service, name, _what, c) => {
    const env: Record<string, string> = { ...(await productionEnv(service)), ...secretsOf(service) };
    if (c.value === undefined) delete env[name];
    else env[name] = c.value;
    const child = spawnNode(SERVICES[service].entry, [], env);
    expect(await outcomeOf(child)).toBe(1);
    const output = child.output();
    expect(output).toContain(`${name}: `);
    // How to make one (a mailbox password is the provider's: no command makes it).
    expect(output).toMatch(name === 'IMAP_PASSWORD' ? /application password/ : /openssl rand/);
    if (c.value) {
      expect(output).not.toContain(c.value);
      expect(output).not.toContain(c.value.slice(0, 16));
    }
  });

  it.each(ALL)('%s starts in production with secrets of its own', async (service) => {
    const env = { ...(await productionEnv(service)), ...secretsOf(service) };
    const child = spawnNode(SERVICES[service].entry, [], env);
    try {
      await waitForStatus(`http://127.0.0.1:${env[SERVICES[service].port]}/healthz`, 200, 60_000);
      expect(child.output()).not.toContain('invalid configuration');
    } finally {
      expect(await child.stop()).toBe(0);
    }
    for (const [key, value] of Object.entries(env)) {
      if (/SECRET|KEY|PASSWORD/.test(key)) expect(child.output()).not.toContain(value);
    }
  });
});
