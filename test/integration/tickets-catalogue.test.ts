import { REQUEST_TYPES, type RequestTypeDefinition } from '@woop/contracts';
import { person } from '../support/people';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';

const claire = person('claire', 'customer', { organizationId: 'org-enseigne' });
const paul = person('paul', 'agent', { teams: ['support'] });
const admin = person('admin', 'admin');

/** The body of a PUT: a definition without its key and version. */
const bodyOf = ({ key: _key, version: _version, ...rest }: RequestTypeDefinition) => rest;

describe('catalogue administration', () => {
  let api: TicketsApi;
  beforeAll(async () => {
    api = await startTicketsApi();
    await api.registerPeople([paul]); // requests are assigned to agents the directory knows
  });
  afterAll(() => api.stop());

  it('serves one request type, and 404 for an unknown one', async () => {
    const res = await api.call(undefined, 'GET', '/catalogue/report-a-bug');
    expect(res).toMatchObject({ status: 200, body: { key: 'report-a-bug', version: 1 } });
    expect(await api.call(undefined, 'GET', '/catalogue/no-such-type')).toMatchObject({
      status: 404,
      body: { code: 'request_type_not_found' },
    });
    expect(await api.call(undefined, 'GET', '/catalogue/report-a-bug/versions/1')).toMatchObject({
      status: 200,
      body: { key: 'report-a-bug', version: 1 },
    });
    expect((await api.call(undefined, 'GET', '/catalogue/report-a-bug/versions/2')).status).toBe(404);
  });

  it('keeps tickets of the old definition working after an admin edit, and holds new tickets to the new one', async () => {
    const seed = REQUEST_TYPES.find((t) => t.key === 'configuration-request')!;
    const oldTicket = await api.call(claire, 'POST', '/tickets', {
      requestType: seed.key,
      portal: 'retailer',
      summary: 'Avant',
      fields: { setting: 'Créneaux', desiredValue: '30 min' },
    });
    expect(oldTicket).toMatchObject({ status: 201, body: { ticket: { requestTypeVersion: 1 } } });
    const reference = (oldTicket.body.ticket as { reference: string }).reference;

    // Version 2: `desiredValue` removed, a required `site` added.
    const edited = {
      ...bodyOf(seed),
      fields: [
        seed.fields[0]!,
        { key: 'site', label: { fr: 'Site', en: 'Site' }, type: 'text', required: true, maxLength: 100 },
      ],
    };
    const put = await api.call(admin, 'PUT', `/catalogue/${seed.key}`, edited);
    expect(put).toMatchObject({ status: 200, body: { key: seed.key, version: 2 } });
    expect((await api.call(undefined, 'GET', `/catalogue/${seed.key}`)).body).toMatchObject({
      version: 2,
      fields: [{ key: 'setting' }, { key: 'site' }],
    });
    const listed = (await api.call(undefined, 'GET', '/catalogue')).body.items as RequestTypeDefinition[];
    expect(listed.find((t) => t.key === seed.key)?.version).toBe(2);

    // The old ticket still reads, renders with its version and takes an action.
    const read = await api.call(claire, 'GET', `/tickets/${reference}`);
    expect(read).toMatchObject({
      status: 200,
      body: { ticket: { requestTypeVersion: 1, fields: { desiredValue: '30 min' } } },
    });
    expect((await api.call(claire, 'GET', `/catalogue/${seed.key}/versions/1`)).body).toMatchObject({
      version: 1,
      fields: [{ key: 'setting' }, { key: 'desiredValue' }],
    });
    const acted = await api.call(paul, 'POST', `/tickets/${reference}/actions/qualify`, {
      payload: { priority: 'low', billable: false, assignment: { agentId: 'paul' } },
    });
    expect(acted).toMatchObject({ status: 200, body: { ticket: { status: 'assigned' } } });

    // A new ticket must fill the new field, and may no longer give the removed one.
    const create = (fields: Record<string, string>) =>
      api.call(claire, 'POST', '/tickets', { requestType: seed.key, portal: 'retailer', summary: 'Après', fields });
    const missing = await create({ setting: 'Créneaux' });
    expect(missing).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect(missing.body.errors).toEqual([expect.objectContaining({ path: 'fields.site' })]);
    expect((await create({ setting: 'Créneaux', site: 'Lyon', desiredValue: '30 min' })).status).toBe(400);
    expect(await create({ setting: 'Créneaux', site: 'Lyon' })).toMatchObject({
      status: 201,
      body: { ticket: { requestTypeVersion: 2 } },
    });
  });

  it('creates a new request type at version 1', async () => {
    const seed = REQUEST_TYPES.find((t) => t.key === 'ask-a-question')!;
    const res = await api.call(admin, 'PUT', '/catalogue/ask-about-invoices', {
      ...bodyOf(seed),
      label: { fr: 'Question de facturation', en: 'Invoice question' },
      portals: ['carrier'],
    });
    expect(res).toMatchObject({ status: 201, body: { key: 'ask-about-invoices', version: 1 } });
    expect(res.headers.get('location')).toBe('/v1/catalogue/ask-about-invoices');
    const carrier = (await api.call(undefined, 'GET', '/catalogue?portal=carrier')).body.items as Array<{
      key: string;
    }>;
    expect(carrier.map((t) => t.key)).toContain('ask-about-invoices');
    expect((await api.call(undefined, 'GET', '/catalogue/ask-about-invoices/versions/1')).status).toBe(200);
  });

  it('lets only admins edit, and refuses a bad definition field by field', async () => {
    const seed = REQUEST_TYPES.find((t) => t.key === 'feature-request')!;
    for (const who of [claire, paul]) {
      expect(await api.call(who, 'PUT', `/catalogue/${seed.key}`, bodyOf(seed))).toMatchObject({
        status: 403,
        body: { code: 'forbidden' },
      });
    }
    expect((await api.call(undefined, 'PUT', `/catalogue/${seed.key}`, bodyOf(seed))).status).toBe(401);
    const bad = await api.call(admin, 'PUT', `/catalogue/${seed.key}`, {
      ...bodyOf(seed),
      portals: [],
      fields: [
        { key: 'choice', label: { fr: 'Choix', en: 'Choice' }, type: 'select', required: true },
        { key: 'choice', label: { fr: 'Encore', en: 'Again' }, type: 'text', required: false },
      ],
    });
    expect(bad).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect((bad.body.errors as Array<{ path: string }>).map((e) => e.path).sort()).toEqual([
      'fields.0.options',
      'fields.1.key',
      'portals',
    ]);
    expect((await api.call(admin, 'PUT', '/catalogue/Not_A_Key', bodyOf(seed))).status).toBe(400);
    expect((await api.call(undefined, 'GET', `/catalogue/${seed.key}`)).body).toMatchObject({ version: 1 });
  });

  it('gives concurrent edits distinct versions, and the last one becomes current', async () => {
    const seed = REQUEST_TYPES.find((t) => t.key === 'technical-assistance')!;
    const edits = Array.from({ length: 6 }, (_, i) => ({
      ...bodyOf(seed),
      description: { fr: `Révision ${i}`, en: `Revision ${i}` },
    }));
    const results = await Promise.all(edits.map((e) => api.call(admin, 'PUT', `/catalogue/${seed.key}`, e)));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(200));
    const versions = results.map((r) => r.body.version as number).sort((a, b) => a - b);
    expect(versions).toEqual([2, 3, 4, 5, 6, 7]);
    // Each version keeps what its own edit said; the current definition is the latest.
    for (const r of results) {
      const stored = await api.call(undefined, 'GET', `/catalogue/${seed.key}/versions/${r.body.version as number}`);
      expect(stored.body.description).toEqual(r.body.description);
    }
    const current = await api.call(undefined, 'GET', `/catalogue/${seed.key}`);
    const latest = results.find((r) => r.body.version === 7)!;
    expect(current.body).toMatchObject({ version: 7, description: latest.body.description });
  });
});
