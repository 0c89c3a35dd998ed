import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_PASSWORD } from '../../services/identity/src/seed';
import { ApiClient } from '../support/api-client';
import { originOf, startGateway, type RunningGateway } from '../support/gateway-harness';
import { startIdentity, type RunningIdentity } from '../support/identity-harness';
import { uniqueId } from '../support/ids';
import { startNotifications } from '../support/notifications-harness';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';

const ROOT = join(__dirname, '..', '..');
/** The Schemathesis CLI, installed by deploy/local/fuzz.sh in a venv of the cache dir. */
const ST = process.env.FUZZ_ST ?? join(process.env.WOOP_CACHE_DIR ?? join(ROOT, '.cache'), 'venv-schemathesis/bin/st');
const REPORTS = join(process.env.WOOP_DATA_DIR ?? join(ROOT, '.data'), 'fuzz');
/** Time budget of each identity's run, in seconds (two runs: customer, agent). */
const MAX_TIME = process.env.FUZZ_MAX_TIME ?? '100';
const MAX_EXAMPLES = process.env.FUZZ_MAX_EXAMPLES ?? '25';
const SEED = process.env.FUZZ_SEED;

/** Runs `st run` against the gateway's document; resolves with its exit code. */
function schemathesis(name: string, origin: string, args: string[]): Promise<number> {
  mkdirSync(REPORTS, { recursive: true });
  const argv = [
    '--config-file',
    join(__dirname, 'schemathesis.toml'),
    'run',
    `${origin}/api/v1/openapi.json`,
    '--url',
    `${origin}/api/v1`,
    '--checks',
    'all',
    '--phases',
    'examples,coverage,fuzzing,stateful',
    '--max-examples',
    MAX_EXAMPLES,
    '--max-time',
    MAX_TIME,
    '--workers',
    '2',
    '--no-color',
    '--report',
    'junit,ndjson',
    '--report-dir',
    join(REPORTS, name),
    ...(SEED ? ['--seed', SEED] : []),
    ...args,
  ];
  process.stdout.write(`\n=== Schemathesis as ${name} ===\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(ST, argv, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NO_COLOR: '1' } });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

/**
 * Hostile input in CI: Schemathesis generates requests from the OpenAPI document the gateway
 * serves (valid and invalid ones, then sequences that follow the resources it creates) and checks
 * every answer: no 5xx, status, content type, headers and body as documented, invalid input
 * refused, valid input accepted. Once as a customer in a browser (session cookie + CSRF token),
 * once as an agent's script (bearer API token), on the real services.
 */
describe('the public API under Schemathesis', () => {
  let identity: RunningIdentity;
  let tickets: TicketsApi;
  let notifications: Awaited<ReturnType<typeof startNotifications>>;
  let gateway: RunningGateway;
  let anonymous: ApiClient;

  beforeAll(async () => {
    tickets = await startTicketsApi();
    [identity, notifications] = await Promise.all([startIdentity(), startNotifications({ CONSUME: 'false' })]);
    gateway = await startGateway({
      IDENTITY_URL: originOf(identity.base),
      TICKETS_URL: originOf(tickets.base),
      NOTIFICATIONS_URL: originOf(notifications.base),
    });
    anonymous = await ApiClient.connect(gateway.origin);
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([identity?.stop(), tickets?.stop(), notifications?.stop()]);
  });

  const login = async (email: string) => {
    const res = await fetch(`${gateway.origin}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: DEMO_PASSWORD }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    return { cookie, csrfToken };
  };

  /** The credentials still work: the run did not test with a dead session for most of its time. */
  const stillSignedIn = async (headers: Record<string, string>) =>
    (await fetch(`${gateway.origin}/api/v1/me`, { headers })).status;

  it('finds nothing as a customer with a session cookie and its CSRF token', async () => {
    const { cookie, csrfToken } = await login('claire@enseigne.example');
    const headers = { cookie, 'x-csrf-token': csrfToken };
    const code = await schemathesis('customer', gateway.origin, [
      '--header',
      `Cookie: ${cookie}`,
      '--header',
      `X-CSRF-Token: ${csrfToken}`,
      // Ends the very session the run uses (logout has its own tests).
      '--exclude-operation-id',
      'logOut',
    ]);
    expect(await stillSignedIn(headers)).toBe(200);
    expect(code).toBe(0);
  });

  it('finds nothing as an agent with a bearer API token', async () => {
    const { cookie, csrfToken } = await login('paul@woop.example');
    const created = await fetch(`${gateway.origin}/api/v1/api-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ name: uniqueId('fuzz') }),
    });
    expect(created.status).toBe(201);
    const { token } = (await created.json()) as { token: string };
    const code = await schemathesis('agent', gateway.origin, ['--header', `Authorization: Bearer ${token}`]);
    expect(await stillSignedIn({ authorization: `Bearer ${token}` })).toBe(200);
    expect(code).toBe(0);
    expect(anonymous).toBeDefined();
  });
});
