import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { SEARCH_ATTRIBUTES } from '@woop/contracts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_PASSWORD } from '../../services/identity/src/seed';
import { originOf, startGateway, type RunningGateway } from '../support/gateway-harness';
import { startIdentity, type RunningIdentity } from '../support/identity-harness';
import { uniqueId } from '../support/ids';
import { startNotifications } from '../support/notifications-harness';
import { freePort } from '../support/processes';
import { TEMPORAL_CLI } from '../setup/binaries';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';

const ROOT = join(__dirname, '..', '..');
const CACHE = process.env.WOOP_CACHE_DIR ?? join(ROOT, '.cache');
/** The Schemathesis CLI, installed by deploy/local/fuzz.sh in a venv of the cache dir. */
const ST = process.env.FUZZ_ST ?? join(CACHE, 'venv-schemathesis/bin/st');
/** The project's Temporal CLI (deploy/local/temporal.sh), for a dev server of the run's own. */
const TEMPORAL = TEMPORAL_CLI;
const REPORTS = join(process.env.WOOP_DATA_DIR ?? join(ROOT, '.data'), 'fuzz');
/** Time budget of each identity's run, in seconds (two runs: customer, agent). */
const MAX_TIME = process.env.FUZZ_MAX_TIME ?? '100';
const MAX_EXAMPLES = process.env.FUZZ_MAX_EXAMPLES ?? '25';
const SEED = process.env.FUZZ_SEED;

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

/** A Temporal dev server of the run's own, in memory, with the project's search attributes. */
async function startTemporal(): Promise<{ address: string; child: ChildProcess }> {
  const port = await freePort();
  const attributes = Object.values(SEARCH_ATTRIBUTES).flatMap((a) => [
    '--search-attribute',
    `${a.name}=${a.type === 'BOOL' ? 'Bool' : 'Keyword'}`,
  ]);
  const child = spawn(
    TEMPORAL,
    [
      'server',
      'start-dev',
      '--headless',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--log-level',
      'error',
      ...attributes,
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 120 && !(await portOpen(port)); i++) await new Promise((r) => setTimeout(r, 250));
  // The frontend listens a little before it serves.
  await new Promise((r) => setTimeout(r, 2_000));
  return { address: `127.0.0.1:${port}`, child };
}

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
    // One worker: Hypothesis describes its strategies with Python's ast, which two threads of
    // Python 3.11 can trip over ("AST constructor recursion depth mismatch", a run error).
    '--workers',
    '1',
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
    const child = spawn(ST, argv, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, NO_COLOR: '1', FUZZ_CACHE_DIR: join(REPORTS, 'cache') },
    });
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
  let temporal: { address: string; child: ChildProcess };

  beforeAll(async () => {
    // A Temporal of its own: on the shared one, the references the fuzzer tries (SUPPORT-1…) are
    // workflows of other runs whose workers are gone, and a query to them waits for nobody.
    temporal = await startTemporal();
    process.env.TEMPORAL_ADDRESS = temporal.address;
    tickets = await startTicketsApi();
    [identity, notifications] = await Promise.all([startIdentity(), startNotifications({ CONSUME: 'false' })]);
    gateway = await startGateway({
      IDENTITY_URL: originOf(identity.base),
      TICKETS_URL: originOf(tickets.base),
      NOTIFICATIONS_URL: originOf(notifications.base),
      // A loaded machine (CI's two cores) can hold FerretDB's writes past the default 5 s: the
      // run looks for answers the document does not describe, not for slow ones. A service that
      // never answers still gives a 503 (a finding), 15 s later.
      UPSTREAM_TIMEOUT_MS: '15000',
    });
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([identity?.stop(), tickets?.stop(), notifications?.stop()]);
    temporal?.child.kill('SIGTERM');
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
    const code = await schemathesis('agent', gateway.origin, [
      '--header',
      `Authorization: Bearer ${token}`,
      // The stateful phase lists the caller's tokens and revokes them: this one among them.
      '--exclude-operation-id',
      'revokeApiToken',
    ]);
    expect(await stillSignedIn({ authorization: `Bearer ${token}` })).toBe(200);
    expect(code).toBe(0);
  });
});
