import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { temporalDataConverter, temporalPayloadCodecFromEnv } from '@woop/service-kit';
import { REQUEST_TYPES, SEARCH_ATTRIBUTES, ticketWorkflowId } from '@woop/contracts';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DEMO_PASSWORD } from '../../services/identity/src/seed';
import { originOf, startGateway, type RunningGateway } from '../support/gateway-harness';
import { startIdentity, type RunningIdentity } from '../support/identity-harness';
import { validFields } from '../support/forms';
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

/** Runs `st run` against the document at `document` (a file); resolves with its exit code. */
function schemathesis(name: string, origin: string, document: string, args: string[]): Promise<number> {
  mkdirSync(REPORTS, { recursive: true });
  const argv = [
    '--config-file',
    join(__dirname, 'schemathesis.toml'),
    'run',
    document,
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
    // One file per identity, this run's (read back by `changesSentTo`).
    '--report-ndjson-path',
    join(REPORTS, name, 'schemathesis.ndjson'),
    ...(SEED ? ['--seed', SEED] : []),
    ...args,
  ];
  process.stdout.write(`\n— Schemathesis as ${name} —\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(ST, argv, {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NO_COLOR: '1', FUZZ_CACHE_DIR: join(REPORTS, 'cache') },
    });
    // Schemathesis closes on pytest's banner ("=== 4 warnings in 100.04s ==="), which CI reads
    // as a pytest run that executed no test: banners are reworded, every other line passes.
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => process.stdout.write(`${rewordBanner(line)}\n`));
    const closed = new Promise((done) => lines.once('close', done));
    child.on('error', reject);
    child.on('exit', (code) => void closed.then(() => resolve(code ?? 1)));
  });
}

/**
 * Schemathesis's banners without pytest's look: "=== 4 warnings in 100.04s ===" becomes
 * "— 4 warnings (100.04 s) —", "=== SUMMARY ===" becomes "— SUMMARY —"; other lines as they are.
 */
function rewordBanner(line: string): string {
  const inner = /^=+ (.+?) =+$/.exec(line.trim())?.[1];
  return inner === undefined ? line : `— ${inner.replace(/ in ([\d.]+)s$/, ' ($1 s)')} —`;
}

type Operation = {
  operationId: string;
  parameters?: Array<{ name: string; in: string; examples?: Record<string, { value: string }> }>;
  responses: Record<string, { links?: Record<string, { operationId: string; parameters: Record<string, string> }> }>;
};
type OpenApiDoc = { paths: Record<string, Record<string, Operation>> };

/**
 * The gateway's document as the fuzzer gets it: the same, with the seeded requests (one per
 * status, the closed one first) as examples of every `reference` path parameter, so the examples
 * phase sends every operation on a request to each of them, a closed one included (the fresh
 * stack has none otherwise: a request closes when its rejection is accepted or its reopen window
 * ends). For the stateful phase, links: from the list to the closed request's page (the fixture
 * reference, a constant), and from a request's page to every change of that request.
 */
function seededDocument(document: OpenApiDoc, seeded: Record<string, string>, file: string): string {
  const changes: string[] = [];
  let list: Operation | undefined;
  let page: Operation | undefined;
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (operation.operationId === 'listTickets') list = operation;
      if (operation.operationId === 'getTicket') page = operation;
      if (method !== 'get' && path.startsWith('/tickets/{reference}')) changes.push(operation.operationId);
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in !== 'path' || parameter.name !== 'reference') continue;
        parameter.examples = Object.fromEntries(Object.entries(seeded).map(([status, value]) => [status, { value }]));
      }
    }
  }
  list!.responses['200']!.links = {
    closedRequest: { operationId: 'getTicket', parameters: { reference: seeded.closed! } },
  };
  page!.responses['200']!.links = Object.fromEntries(
    changes.map((operationId) => [
      operationId,
      { operationId, parameters: { reference: '$response.body#/ticket/reference' } },
    ]),
  );
  mkdirSync(REPORTS, { recursive: true });
  writeFileSync(file, JSON.stringify(document));
  return file;
}

/**
 * What the run sent on a request (`reference`), from its ndjson report: the changes (every POST,
 * PUT, PATCH or DELETE under /tickets/<reference>/), by phase, and their statuses.
 */
function changesSentTo(reportDir: string, reference: string) {
  const byPhase: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  const marker = `/tickets/${reference}/`;
  const visit = (node: unknown, phase?: string): void => {
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    const here = typeof o.phase === 'string' ? o.phase : ((o.phase as { name?: string })?.name ?? phase);
    const request = o.request as { method?: string; uri?: string } | undefined;
    if (request?.uri?.includes(marker) && request.method && request.method !== 'GET') {
      byPhase[here ?? '?'] = (byPhase[here ?? '?'] ?? 0) + 1;
      const status = String((o.response as { status_code?: number } | undefined)?.status_code ?? 'none');
      statuses[status] = (statuses[status] ?? 0) + 1;
      return;
    }
    for (const value of Object.values(o)) visit(value, here);
  };
  let text: string;
  try {
    text = readFileSync(join(reportDir, 'schemathesis.ndjson'), 'utf8');
  } catch {
    return { byPhase, statuses, total: 0 };
  }
  for (const line of text.split('\n')) {
    if (line.includes(marker)) visit(JSON.parse(line));
  }
  return { byPhase, statuses, total: Object.values(byPhase).reduce((a, b) => a + b, 0) };
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
  /** Requests of claire's seeded in each status, by status (the fuzzer's examples). */
  const seeded: Record<string, string> = {};
  let document: OpenApiDoc;

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
    // The seed assigns requests to Paul: an agent the tickets service must know first (identity's
    // seed reaches it over the users topic).
    await tickets.knowsAgent('user-paul', 60_000);
    await seedRequests();
    document = (await (await fetch(`${gateway.origin}/api/v1/openapi.json`)).json()) as OpenApiDoc;
  }, 240_000);
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

  /**
   * Requests in each status, claire's (a customer of Enseigne Démo) handled by paul (an agent),
   * through the API: the fresh stack holds none, and the fuzzer's own never get far (it files
   * requests as one person and cannot both reject one and accept the rejection). The closed one's
   * workflow has completed, as in production once a request is CLÔTURÉ.
   */
  async function seedRequests() {
    const claire = await login('claire@enseigne.example');
    const paul = await login('paul@woop.example');
    const call = async (who: typeof claire, path: string, body: unknown) => {
      const res = await fetch(`${gateway.origin}/api/v1${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: who.cookie, 'x-csrf-token': who.csrfToken },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`seeding: POST ${path} answered ${res.status} ${await res.text()}`);
      return (await res.json()) as { ticket: { reference: string; status: string } };
    };
    const type = REQUEST_TYPES.find((t) => t.key === 'ask-a-question')!;
    const file = async () =>
      (
        await call(claire, '/tickets', {
          requestType: type.key,
          portal: 'retailer',
          summary: 'Demande de départ du fuzzer',
          description: 'Détails',
          fields: validFields(type),
        })
      ).ticket.reference;
    const act = (who: typeof claire, reference: string, action: string, payload: Record<string, unknown> = {}) =>
      call(who, `/tickets/${reference}/actions/${action}`, { payload });
    const steps: Record<string, Array<[typeof claire, string, Record<string, unknown>?]>> = {
      closed: [
        [paul, 'reject', { reason: 'Hors périmètre' }],
        [claire, 'acceptRejection'],
      ],
      open: [],
      assigned: [[paul, 'qualify', { priority: 'medium', billable: false, assignment: { agentId: 'user-paul' } }]],
      in_progress: [
        [paul, 'qualify', { priority: 'medium', billable: false, assignment: { agentId: 'user-paul' } }],
        [paul, 'start'],
      ],
      waiting_for_customer: [[paul, 'requestInformation', { question: 'Quel numéro de commande ?' }]],
      resolved: [
        [paul, 'qualify', { priority: 'medium', billable: false, assignment: { agentId: 'user-paul' } }],
        [paul, 'start'],
        [paul, 'resolve', { answer: 'Voilà.' }],
      ],
      done: [
        [paul, 'qualify', { priority: 'medium', billable: false, assignment: { agentId: 'user-paul' } }],
        [paul, 'start'],
        [paul, 'resolve', { answer: 'Voilà.' }],
        [claire, 'acceptResolution'],
      ],
      rejected: [[paul, 'reject', { reason: 'Hors périmètre' }]],
    };
    for (const [status, path] of Object.entries(steps)) {
      const reference = await file();
      let reached = 'open';
      for (const [who, action, payload] of path) reached = (await act(who, reference, action, payload)).ticket.status;
      expect([status, reached]).toEqual([status, status]);
      seeded[status] = reference;
    }
    // Closed and ended: its workflow has completed, so an action would reach a finished run.
    const client = new Client({
      connection: await Connection.connect({ address: temporal.address }),
      dataConverter: temporalDataConverter(temporalPayloadCodecFromEnv()),
    });
    try {
      await client.workflow.getHandle(ticketWorkflowId(seeded.closed!)).result();
    } finally {
      await client.connection.close();
    }
    process.stdout.write(`seeded requests: ${JSON.stringify(seeded)}\n`);
  }

  /** Every run must have sent changes to the closed request (and says how many, by phase). */
  const expectClosedReached = (name: string) => {
    const sent = changesSentTo(join(REPORTS, name), seeded.closed!);
    process.stdout.write(
      `changes sent to the closed request ${seeded.closed} as ${name}: ${sent.total} ` +
        `(by phase ${JSON.stringify(sent.byPhase)}, by status ${JSON.stringify(sent.statuses)})\n`,
    );
    expect(sent.total).toBeGreaterThan(0);
    expect(sent.statuses['500'] ?? 0).toBe(0);
  };

  /** The credentials still work: the run did not test with a dead session for most of its time. */
  const stillSignedIn = async (headers: Record<string, string>) =>
    (await fetch(`${gateway.origin}/api/v1/me`, { headers })).status;

  it('finds nothing as a customer with a session cookie and its CSRF token', async () => {
    const { cookie, csrfToken } = await login('claire@enseigne.example');
    const headers = { cookie, 'x-csrf-token': csrfToken };
    const file = seededDocument(structuredClone(document), seeded, join(REPORTS, 'openapi-customer.json'));
    const code = await schemathesis('customer', gateway.origin, file, [
      '--header',
      `Cookie: ${cookie}`,
      '--header',
      `X-CSRF-Token: ${csrfToken}`,
      // Ends the very session the run uses (logout has its own tests).
      '--exclude-operation-id',
      'logOut',
    ]);
    expect(await stillSignedIn(headers)).toBe(200);
    expectClosedReached('customer');
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
    const file = seededDocument(structuredClone(document), seeded, join(REPORTS, 'openapi-agent.json'));
    const code = await schemathesis('agent', gateway.origin, file, [
      '--header',
      `Authorization: Bearer ${token}`,
      // The stateful phase lists the caller's tokens and revokes them: this one among them.
      '--exclude-operation-id',
      'revokeApiToken',
    ]);
    expect(await stillSignedIn({ authorization: `Bearer ${token}` })).toBe(200);
    expectClosedReached('agent');
    expect(code).toBe(0);
  });
});
