import { request as httpRequest, type IncomingMessage } from 'node:http';
import { REQUEST_TYPES } from '@woop/contracts';
import { DEMO_PASSWORD } from '../../../services/identity/src/seed';
import { ApiClient } from '../../support/api-client';
import { validFields } from '../../support/forms';
import { originOf, startGateway, type RunningGateway } from '../../support/gateway-harness';
import { startIdentity, type RunningIdentity } from '../../support/identity-harness';
import { startNotifications } from '../../support/notifications-harness';
import { startTicketsApi, type TicketsApi } from '../../support/tickets-api-harness';

interface Problem {
  code: string;
  status: number;
  errors?: Array<{ path: string; message: string }>;
}
interface TicketView {
  ticket: { reference: string; summary: string; description: string; fields: Record<string, unknown> };
}
interface Page {
  items: Array<{ reference: string }>;
}

/** A small quota, so a test reaches it with a few small files. */
const QUOTA = { files: 3, bytes: 40_000 };

/** Answers of a raw HTTP exchange whose body the client sends slowly, part by part. */
interface PartialUpload {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
  /** Bytes of the body sent when the answer arrived. */
  sentWhenAnswered: number;
}

/**
 * Announces a `declared`-byte body, sends only its first `sent` bytes, and waits for the answer
 * without sending more: a server that reads the whole body first never answers.
 */
function partialUpload(
  origin: string,
  path: string,
  headers: Record<string, string>,
  declared: number,
  sent: number,
  waitMs = 20_000,
): Promise<PartialUpload> {
  return new Promise((resolve, reject) => {
    let written = 0;
    const req = httpRequest(`${origin}${path}`, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(declared) },
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer with ${written} of ${declared} bytes sent`));
    }, waitMs);
    req.on('response', (res) => {
      const sentWhenAnswered = written;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, sentWhenAnswered });
      });
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    const chunk = Buffer.alloc(sent, 0x41);
    req.write(chunk, () => (written += chunk.length));
  });
}

/** A raw exchange with any method (fetch refuses some, such as TRACE). */
function rawRequest(origin: string, method: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: IncomingMessage['headers']; body: string }>((resolve, reject) => {
    const req = httpRequest(`${origin}${path}`, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Hostile input through the gateway, on the real services: requests cut short, too big, in
 * the wrong format or the wrong characters, operators where a filter takes a value, markup in
 * every text a page shows; and the quota of files a request holds.
 */
describe('gateway: hostile input', () => {
  let identity: RunningIdentity;
  let tickets: TicketsApi;
  let notifications: Awaited<ReturnType<typeof startNotifications>>;
  let gateway: RunningGateway;
  let anonymous: ApiClient;
  let claire: ApiClient;
  let claireCookie: string;

  const browser = async (email: string) => {
    const client = anonymous.fresh();
    const res = await client.post<{ csrfToken: string }>('/auth/login', { email, password: DEMO_PASSWORD });
    expect(res.status).toBe(200);
    client.csrfToken = res.body.csrfToken;
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    return { client, cookie };
  };
  const bug = REQUEST_TYPES.find((t) => t.key === 'report-a-bug')!;
  const file = (client: ApiClient, form: Record<string, unknown> = {}) =>
    client.post<TicketView>('/tickets', {
      requestType: bug.key,
      portal: 'retailer',
      summary: 'Écran blanc',
      fields: validFields(bug),
      ...form,
    });

  beforeAll(async () => {
    tickets = await startTicketsApi({
      env: {
        TICKET_ATTACHMENTS_MAX_FILES: String(QUOTA.files),
        TICKET_ATTACHMENTS_MAX_BYTES: String(QUOTA.bytes),
      },
    });
    [identity, notifications] = await Promise.all([startIdentity(), startNotifications({ CONSUME: 'false' })]);
    gateway = await startGateway({
      IDENTITY_URL: originOf(identity.base),
      TICKETS_URL: originOf(tickets.base),
      NOTIFICATIONS_URL: originOf(notifications.base),
    });
    anonymous = await ApiClient.connect(gateway.origin);
    ({ client: claire, cookie: claireCookie } = await browser('claire@enseigne.example'));
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([identity?.stop(), tickets?.stop(), notifications?.stop()]);
  });

  it('refuses a request form without its fields as it refuses one with empty fields', async () => {
    const required = bug.fields.filter((f) => f.required).map((f) => `fields.${f.key}`);
    const without = await file(claire, { fields: undefined });
    const empty = await file(claire, { fields: {} });
    for (const res of [without, empty]) {
      expect(res.status).toBe(400);
      const problem = res.body as unknown as Problem;
      expect(problem.code).toBe('validation_failed');
      expect(problem.errors!.map((e) => e.path)).toEqual(required);
    }
  });

  it('refuses the unauthenticated before reading their body: the 401 comes while the upload is cut short', async () => {
    const fiveMiB = 5 * 1024 * 1024;
    const cases: Array<[string, Record<string, string>, number]> = [
      ['/api/v1/tickets/SUPPORT-1/attachments?filename=a.png', { 'content-type': 'image/png' }, fiveMiB],
      [
        '/api/v1/tickets/SUPPORT-1/attachments?filename=a.png',
        { 'content-type': 'image/png', cookie: '__Host-woop_session=wps_expired' },
        fiveMiB,
      ],
      [
        '/api/v1/tickets/SUPPORT-1/attachments?filename=a.png',
        { 'content-type': 'image/png', authorization: 'Bearer wpt_not-a-token' },
        fiveMiB,
      ],
      ['/api/v1/tickets', { 'content-type': 'application/json' }, 200 * 1024],
    ];
    for (const [path, headers, declared] of cases) {
      const res = await partialUpload(gateway.origin, path, headers, declared, 16 * 1024);
      expect([path, res.status, res.headers['content-type']]).toEqual([
        path,
        401,
        expect.stringMatching(/^application\/problem\+json/),
      ]);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'unauthenticated' });
      expect(res.sentWhenAnswered).toBeLessThan(declared);
    }
    // Signed in, the same upload is read: cut short, it gets no answer before its end.
    await expect(
      partialUpload(
        gateway.origin,
        '/api/v1/tickets/SUPPORT-1/attachments?filename=a.png',
        { 'content-type': 'image/png', cookie: claireCookie, 'x-csrf-token': claire.csrfToken! },
        64 * 1024,
        1024,
        2_000,
      ).then(
        () => 'answered',
        () => 'waiting for the rest',
      ),
    ).resolves.toBe('waiting for the rest');
  }, 60_000);

  it('answers a method a path does not take with 405 and Allow, an unknown path with 404', async () => {
    const cases: Array<[string, string, string]> = [
      ['DELETE', '/api/v1/tickets', 'GET, POST, HEAD'],
      ['PATCH', '/api/v1/tickets/SUPPORT-1', 'GET, HEAD'],
      ['TRACE', '/api/v1/me', 'GET, HEAD'],
      ['PUT', '/api/v1/auth/login', 'POST'],
      ['GET', '/api/v1/tickets/SUPPORT-1/actions/resolve', 'POST'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await rawRequest(gateway.origin, method, path);
      expect([method, path, res.status, res.headers.allow]).toEqual([method, path, 405, allow]);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(res.body)).toMatchObject({ status: 405, code: 'method_not_allowed' });
    }
    const nowhere = await rawRequest(gateway.origin, 'DELETE', '/api/v1/nowhere');
    expect(nowhere.status).toBe(404);
  });

  it('refuses bodies too big, malformed or of the wrong type with a problem, never a 5xx', async () => {
    const big = await file(claire, { description: 'x'.repeat(300 * 1024) });
    expect(big.body).toMatchObject({ status: 413, code: 'payload_too_large' });
    const reference = (await file(claire)).body.ticket.reference;
    const bigFile = await claire.post<Problem>(`/tickets/${reference}/attachments?filename=big.txt`, undefined, {
      file: { data: Buffer.alloc(5 * 1024 * 1024 + 1, 0x61), contentType: 'text/plain' },
    });
    expect(bigFile.body).toMatchObject({ status: 413, code: 'payload_too_large' });

    const malformed = [
      '{"requestType":',
      '{"a":1}trailing',
      '\u00ef\u00bb\u00bf{}x',
      '['.repeat(100_000),
      'null',
      '"x"',
    ];
    for (const body of malformed) {
      const res = await claire.post<Problem>('/tickets', body);
      expect([body.slice(0, 20), res.status]).toEqual([body.slice(0, 20), 400]);
      expect(['malformed_json', 'validation_failed']).toContain(res.body.code);
    }
    // An array is not a body of fields, even where every field is optional: spread, it would
    // pass as an object of indices (Schemathesis sent `[null, null]` to `start`).
    for (const body of ['[null, null]', '[]', '[{"_csrf":"x"}]']) {
      const res = await claire.post<Problem>(`/tickets/${reference}/actions/acceptResolution`, body);
      expect([body, res.status, res.body.code]).toEqual([body, 400, 'validation_failed']);
    }
    const types = [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/json; charset=utf-16',
    ];
    for (const type of types) {
      const res = await claire.post<Problem>('/tickets', '{"requestType":"report-a-bug"}', {
        headers: { 'content-type': type },
      });
      expect([type, res.status]).toEqual([type, 415]);
      expect(res.body.code).toBe('unsupported_media_type');
    }
    // A body in an encoding the gateway does not read is refused, not a failure.
    const compressed = await claire.post<Problem>('/tickets', '{}', { headers: { 'content-encoding': 'compress' } });
    expect(compressed.body).toMatchObject({ status: 415, code: 'unsupported_media_type' });
    const wrongFile = await claire.post<Problem>(`/tickets/${reference}/attachments?filename=a.html`, undefined, {
      file: { data: Buffer.from('<html></html>'), contentType: 'text/html' },
    });
    expect(wrongFile.body).toMatchObject({ status: 415, code: 'unsupported_media_type' });
  });

  it('keeps unicode as sent, and refuses what is not text with a 400: never a 5xx', async () => {
    const kept = [
      'Émoji 🚚📦 et 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
      'RTL \u202eesrever\u202c et zéro\u200bwidth',
      'Combinés: e\u0301 a\u0308 \u0041\u030a',
      'BOM \ufeff et \uffff non-caractère',
    ];
    for (const summary of kept) {
      const res = await file(claire, {
        summary,
        description: summary,
        fields: { ...validFields(bug), impact: 'minor' },
      });
      expect([summary, res.status]).toEqual([summary, 201]);
      const read = await claire.get<TicketView>(`/tickets/${res.body.ticket.reference}`);
      expect([read.body.ticket.summary, read.body.ticket.description]).toEqual([summary, summary]);
    }
    const refused: Array<[Record<string, unknown>, string]> = [
      [{ summary: 'Seule moitié \ud800 de paire' }, 'summary'],
      [{ description: 'fin \udfff' }, 'description'],
      [{ fields: { ...validFields(bug), stepsToReproduce: '\ud83d' } }, 'fields.stepsToReproduce'],
      [{ summary: ' \t\n ' }, 'summary'],
      // No text has a NUL, and PostgreSQL cannot query one (Schemathesis found a 500): refused.
      [{ summary: 'Nul \u0000 caractère' }, 'summary'],
      [{ fields: { ...validFields(bug), stepsToReproduce: 'a\u0000b' } }, 'fields.stepsToReproduce'],
    ];
    for (const [form, path] of refused) {
      const res = await file(claire, form);
      expect([path, res.status, (res.body as unknown as Problem).code]).toEqual([path, 400, 'validation_failed']);
      expect((res.body as unknown as Problem).errors!.map((e) => e.path)).toContain(path);
    }
  });

  it('takes operators in filters as plain values: no list shows more than it would', async () => {
    const { client: paul } = await browser('paul@woop.example');
    const { client: ines } = await browser('ines@transports.example');
    await file(claire);
    const injections = (name: string) => [
      `${name}=${encodeURIComponent('{"$gt":""}')}`,
      `${name}[$gt]=`,
      `${name}[$ne]=zzz`,
      `${name}[$regex]=.*`,
      `${name}[]=a&${name}[]=b`,
    ];
    const lists: Array<[ApiClient, string, string[]]> = [
      [ines, '/tickets', ['scope', 'status', 'requestType', 'q', 'sort', 'limit', 'cursor']],
      [paul, '/tickets', ['scope', 'status', 'requestType', 'q', 'sort']],
      [paul, '/queues/unassigned', ['sort', 'requestType', 'priority', 'team', 'organizationId', 'limit', 'cursor']],
      [paul, '/users', ['organizationId', 'withoutOrganization']],
      [ines, '/users', ['organizationId', 'withoutOrganization']],
      [paul, '/deliveries', ['eventId', 'reference', 'address', 'limit']],
      [ines, '/catalogue', ['portal']],
    ];
    const ids = (body: unknown) =>
      ((body as { items?: Array<Record<string, unknown>> }).items ?? []).map((i) => i.reference ?? i.id ?? i.key);
    for (const [client, path, params] of lists) {
      const baseline = await client.get(path);
      expect([path, baseline.status]).toEqual([path, 200]);
      const visible = new Set(ids(baseline.body));
      for (const param of params) {
        for (const query of injections(param)) {
          const res = await client.get(`${path}?${query}`);
          expect([path, query, res.status]).toEqual([path, query, expect.any(Number)]);
          expect([path, query, [200, 400].includes(res.status)]).toEqual([path, query, true]);
          if (res.status === 400)
            expect((res.body as unknown as Problem).code).toMatch(/^(validation_failed|invalid_cursor)$/);
          else expect([path, query, ids(res.body).filter((id) => !visible.has(id))]).toEqual([path, query, []]);
        }
      }
    }
    // A customer of another organisation sees none of Claire's requests, whatever the filter says.
    const claires = new Set(ids((await claire.get('/tickets?status=all')).body));
    for (const query of ['scope[$ne]=created', 'status=all&scope=organization&requestType[$exists]=true']) {
      const res = await ines.get<Page>(`/tickets?${query}`);
      if (res.status === 200) expect(res.body.items.filter((i) => claires.has(i.reference))).toEqual([]);
    }
  });

  it('shows markup people typed as text in the pages, escaped', async () => {
    const markup = {
      summary: '<script>alert("summary")</script>',
      description: '<img src=x onerror=alert("description")>',
      fields: {
        ...validFields(bug),
        stepsToReproduce: '"><svg onload=alert("steps")>',
        expectedVersusActual: "</textarea><script>alert('expected')</script>",
      },
    };
    const created = await file(claire, markup);
    expect(created.status).toBe(201);
    const { reference } = created.body.ticket;
    const comment = await claire.post(`/tickets/${reference}/comments`, { body: '<iframe src="javascript:alert(1)">' });
    expect(comment.status).toBe(200);
    const { cookie: paulCookie } = await browser('paul@woop.example');
    for (const [who, cookie] of [
      ['claire', claireCookie],
      ['paul', paulCookie],
    ] as const) {
      for (const path of [`/requests/${reference}`, '/requests?status=all']) {
        const res = await fetch(`${gateway.origin}${path}`, { headers: { cookie }, redirect: 'manual' });
        expect([who, path, res.status]).toEqual([who, path, 200]);
        const html = await res.text();
        for (const raw of ['<script>alert', '<img src=x', '<svg onload', '<iframe src', '</textarea><script>']) {
          expect([who, path, html.includes(raw)]).toEqual([who, path, false]);
        }
        expect(html).toContain('&lt;script&gt;alert(');
        if (path.startsWith('/requests/SUPPORT')) {
          for (const escaped of ['&lt;img src', '&lt;iframe src', '&quot;&gt;&lt;svg onload', '&lt;/textarea&gt;']) {
            expect([who, escaped, html.includes(escaped)]).toEqual([who, escaped, true]);
          }
        }
      }
    }
  });

  it('holds a documented number of files and bytes per request: beyond, 409 attachment_limit_reached', async () => {
    const text = (bytes: number) => ({ data: Buffer.alloc(bytes, 0x61), contentType: 'text/plain' });
    const byCount = (await file(claire)).body.ticket.reference;
    for (let i = 1; i <= QUOTA.files; i++) {
      const res = await claire.post(`/tickets/${byCount}/attachments?filename=f${i}.txt`, undefined, {
        file: text(10),
      });
      expect(res.status).toBe(201);
    }
    const extra = await claire.post<Problem>(`/tickets/${byCount}/attachments?filename=extra.txt`, undefined, {
      file: text(10),
    });
    expect(extra.body).toMatchObject({ status: 409, code: 'attachment_limit_reached' });
    expect(((await claire.get<Page>(`/tickets/${byCount}/attachments`)).body.items ?? []).length).toBe(QUOTA.files);

    // The page says why, in the user's language, next to the file's name.
    const form = new FormData();
    form.append('_csrf', claire.csrfToken!);
    form.append('attachments', new Blob(['encore'], { type: 'text/plain' }), 'encore.txt');
    const posted = await fetch(`${gateway.origin}/requests/${byCount}/attachments`, {
      method: 'POST',
      headers: { cookie: claireCookie, origin: gateway.origin },
      body: form,
      redirect: 'manual',
    });
    expect(posted.status).toBe(303);
    const flash = posted.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const page = await (
      await fetch(`${gateway.origin}/requests/${byCount}`, { headers: { cookie: `${claireCookie}; ${flash}` } })
    ).text();
    expect(page).toMatch(/encore\.txt \(Cette demande a atteint le nombre ou le volume maximal de pièces jointes/);

    const bySize = (await file(claire)).body.ticket.reference;
    expect(
      (await claire.post(`/tickets/${bySize}/attachments?filename=a.txt`, undefined, { file: text(30_000) })).status,
    ).toBe(201);
    const over = await claire.post<Problem>(`/tickets/${bySize}/attachments?filename=b.txt`, undefined, {
      file: text(QUOTA.bytes - 30_000 + 1),
    });
    expect(over.body).toMatchObject({ status: 409, code: 'attachment_limit_reached' });
    const fits = await claire.post(`/tickets/${bySize}/attachments?filename=c.txt`, undefined, {
      file: text(QUOTA.bytes - 30_000),
    });
    expect(fits.status).toBe(201);
  });
});
