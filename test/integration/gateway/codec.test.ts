import { Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { REQUEST_TYPES, ticketWorkflowId } from '@woop/contracts';
import { temporalPayloadCodec, type TemporalPayload } from '@woop/service-kit';
import { DEMO_PASSWORD } from '../../../services/identity/src/seed';
import { ApiClient } from '../../support/api-client';
import { validFields } from '../../support/forms';
import { originOf, startGateway, type RunningGateway } from '../../support/gateway-harness';
import { startIdentity, type RunningIdentity } from '../../support/identity-harness';
import { uniqueId } from '../../support/ids';
import { startTicketsApi, type TicketsApi } from '../../support/tickets-api-harness';

/**
 * The Temporal UI's remote codec on the gateway (finding 5 of issue 23): the UI posts the
 * encrypted payloads of a history to /codec/decode from its own origin, with the gateway's
 * session cookie; only a signed-in admin gets the plaintext back, everyone else an error and
 * never a byte of it.
 */
const UI = 'http://127.0.0.1:18233';
const SECRET = { description: 'Faille signalée par zoe.codec@example.test', note: 'rappeler le RSSI' };

const toJson = (p: TemporalPayload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

describe('gateway: the Temporal UI codec endpoint', () => {
  let identity: RunningIdentity;
  let tickets: TicketsApi;
  let gateway: RunningGateway;
  let anonymous: ApiClient;
  let encrypted: ReturnType<typeof toJson>;

  beforeAll(async () => {
    [identity, tickets] = await Promise.all([startIdentity(), startTicketsApi()]);
    gateway = await startGateway({
      IDENTITY_URL: originOf(identity.base),
      TICKETS_URL: originOf(tickets.base),
      NOTIFICATIONS_URL: 'http://127.0.0.1:9',
      TEMPORAL_UI_URL: UI,
      // The first create waits for the worker's first workflow task (its bundle is built then).
      UPSTREAM_TIMEOUT_MS: '30000',
    });
    anonymous = await ApiClient.connect(gateway.origin);
    // What the tickets worker writes to Temporal, with the same keys as the gateway's.
    const [payload] = await temporalPayloadCodec(gateway.config).encode([defaultPayloadConverter.toPayload(SECRET)]);
    encrypted = toJson(payload!);
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([identity?.stop(), tickets?.stop()]);
  });

  const cookieOf = async (email: string) => {
    const client = anonymous.fresh();
    const res = await client.post('/auth/login', { email, password: DEMO_PASSWORD });
    expect(res.status).toBe(200);
    return client.cookieHeader();
  };

  /** As the Temporal UI's page calls it: from its origin, with the cookies when it has them. */
  const decode = (cookie: string | undefined, body: unknown = { payloads: [encrypted] }, origin = UI) =>
    fetch(`${gateway.origin}/codec/decode`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-namespace': 'default',
        origin,
        ...(cookie ? { cookie } : {}),
      },
      body: JSON.stringify(body),
    });

  it('decodes for a signed-in admin, readable by the Temporal UI with credentials', async () => {
    const res = await decode(await cookieOf('admin@woop.example'));
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { payloads } = (await res.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
    expect(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(payloads[0]!.data, 'base64').toString())).toEqual(SECRET);
  });

  it('answers the preflight of the Temporal UI only', async () => {
    const preflight = (origin: string) =>
      fetch(`${gateway.origin}/codec/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace',
        },
      });
    const ok = await preflight(UI);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(UI);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/content-type/);
    const other = await preflight('https://evil.example');
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it.each([
    ['an agent', 'paul@woop.example', 403, 'forbidden'],
    ['a security agent', 'sarah@woop.example', 403, 'forbidden'],
    ['a customer', 'claire@enseigne.example', 403, 'forbidden'],
    ['nobody signed in', undefined, 401, 'unauthenticated'],
  ])('refuses %s, without a byte of the plaintext', async (_who, email, status, code) => {
    const res = await decode(email ? await cookieOf(email) : undefined);
    expect(res.status).toBe(status);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ code });
    expect(text).not.toContain('zoe.codec');
    expect(text).not.toContain(Buffer.from(JSON.stringify(SECRET)).toString('base64').slice(0, 16));
  });

  it("refuses an admin's cookie sent from another site's page", async () => {
    const res = await decode(await cookieOf('admin@woop.example'), undefined, 'https://evil.example');
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(await res.json()).toMatchObject({ code: 'origin_not_allowed' });
  });

  it('answers a payload it cannot open with a 400 that names the reason, and passes plain ones through', async () => {
    const cookie = await cookieOf('admin@woop.example');
    const tampered = { ...encrypted, data: Buffer.from(encrypted.data, 'base64').reverse().toString('base64') };
    const bad = await decode(cookie, { payloads: [tampered] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'validation_failed' });
    expect((await decode(cookie, { payloads: 'nope' })).status).toBe(400);
    const plain = toJson(defaultPayloadConverter.toPayload('déjà clair'));
    const res = await decode(cookie, { payloads: [plain] });
    expect(((await res.json()) as { payloads: unknown[] }).payloads).toEqual([plain]);
  });

  it('encodes for an admin (the UI sending a signal), and for nobody else', async () => {
    const plain = toJson(defaultPayloadConverter.toPayload('signal'));
    const send = (cookie?: string) =>
      fetch(`${gateway.origin}/codec/encode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: UI, ...(cookie ? { cookie } : {}) },
        body: JSON.stringify({ payloads: [plain] }),
      });
    const res = await send(await cookieOf('admin@woop.example'));
    expect(res.status).toBe(200);
    const { payloads } = (await res.json()) as { payloads: Array<{ metadata: Record<string, string> }> };
    expect(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
    expect((await send(await cookieOf('paul@woop.example'))).status).toBe(403);
  });

  describe('on a real request', () => {
    const marker = uniqueId('codec').replace(/-/g, '');
    let reference: string;
    beforeAll(async () => {
      const claire = anonymous.fresh();
      const login = await claire.post<{ csrfToken: string }>('/auth/login', {
        email: 'claire@enseigne.example',
        password: DEMO_PASSWORD,
      });
      claire.csrfToken = login.body.csrfToken;
      const bug = REQUEST_TYPES.find((t) => t.key === 'report-a-bug')!;
      const res = await claire.post<{ ticket: { reference: string } }>('/tickets', {
        requestType: bug.key,
        portal: 'retailer',
        summary: `Écran blanc ${marker}`,
        description: `Détails ${marker}`,
        fields: validFields(bug),
      });
      expect(res.status).toBe(201);
      reference = res.body.ticket.reference;
    });

    const page = async (email: string) => {
      const res = await fetch(`${gateway.origin}/requests/${reference}`, {
        headers: { cookie: await cookieOf(email), 'accept-language': 'fr' },
      });
      expect(res.status).toBe(200);
      return res.text();
    };

    it('links the request page to its workflow in the Temporal UI for an admin only', async () => {
      const link = `href="${UI}/namespaces/default/workflows?query`;
      const adminPage = await page('admin@woop.example');
      expect(adminPage).toContain(link);
      const agentPage = await page('paul@woop.example');
      expect(agentPage).toContain('id="agent-title"');
      expect(agentPage).not.toContain(UI);
      expect(await page('claire@enseigne.example')).not.toContain(UI);
    });

    it("decodes the workflow's real start payload for an admin; the agent gets a 403", async () => {
      const connection = await Connection.connect({ address: tickets.config.TEMPORAL_ADDRESS });
      try {
        const { history } = await connection.workflowService.getWorkflowExecutionHistory({
          namespace: 'default',
          execution: { workflowId: ticketWorkflowId(reference) },
        });
        const started = history!.events!.find((e) => e.workflowExecutionStartedEventAttributes)!;
        const input = started.workflowExecutionStartedEventAttributes!.input!.payloads! as TemporalPayload[];
        const body = { payloads: input.map(toJson) };
        expect(JSON.stringify(body)).not.toContain(marker);
        const admin = await decode(await cookieOf('admin@woop.example'), body);
        expect(admin.status).toBe(200);
        const { payloads } = (await admin.json()) as { payloads: Array<{ data: string }> };
        expect(Buffer.from(payloads[0]!.data, 'base64').toString()).toContain(`Détails ${marker}`);
        const agent = await decode(await cookieOf('paul@woop.example'), body);
        expect(agent.status).toBe(403);
        expect(await agent.text()).not.toContain(marker);
      } finally {
        await connection.close();
      }
    });
  });
});
