import { REQUEST_TYPES, ticketWorkflowId } from '@woop/contracts';
import type { VerifiedIdentity } from '@woop/service-kit';
import { eventually } from '../support/eventually';
import { loadTicketsConfig } from '../../services/tickets/src/config';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';
import { validFields } from '../support/forms';
import { person } from '../support/people';

// Two customers of one retailer, one of a carrier, a support agent, a security agent, an admin.
const claire = person('claire', 'customer', { organizationId: 'org-enseigne' });
const hugo = person('hugo', 'customer', { organizationId: 'org-enseigne' });
const ines = person('ines', 'customer', { organizationId: 'org-transports' });
const paul = person('paul', 'agent', { teams: ['support'] });
const sarah = person('sarah', 'agent', { teams: ['security'] });
const admin = person('admin', 'admin');

describe('tickets API on Temporal, FerretDB and Kafka', () => {
  let api: TicketsApi;
  beforeAll(async () => {
    // The service's own deadline (4 s, under the gateway's 5 s), which a test below checks.
    api = await startTicketsApi({ temporalTimeoutMs: loadTicketsConfig({}).TICKETS_TEMPORAL_TIMEOUT_MS });
    await api.registerPeople([paul]); // requests are assigned to agents the directory knows
  });
  afterAll(() => api.stop());

  const create = (who: VerifiedIdentity, requestType: string, extra: Record<string, unknown> = {}, headers = {}) => {
    const type = REQUEST_TYPES.find((t) => t.key === requestType)!;
    return api.call(
      who,
      'POST',
      '/tickets',
      {
        requestType,
        portal: 'retailer',
        summary: 'Résumé',
        description: 'Détails',
        fields: validFields(type),
        ...extra,
      },
      headers,
    );
  };

  it('serves the catalogue of the two portals', async () => {
    const res = await api.call(undefined, 'GET', '/catalogue?portal=carrier');
    expect((res.body.items as unknown[]).length).toBe(10);
  });

  it.each(REQUEST_TYPES.map((t) => [t.key, t] as const))(
    'creates a %s request, and refuses it with a field missing',
    async (key, type) => {
      const res = await create(claire, key);
      expect(res.status).toBe(201);
      const reference = (res.body.ticket as { reference: string }).reference;
      expect(reference).toMatch(/^SUPPORT-\d+$/);
      expect(res.headers.get('location')).toBe(`/v1/tickets/${reference}`);
      expect(res.body).toMatchObject({
        ticket: {
          status: 'open',
          requestType: key,
          confidential: type.confidential,
          assignment: { team: type.defaultTeam },
        },
        allowed: type.confidential ? ['comment', 'attach'] : ['comment', 'share', 'attach'],
      });
      const required = type.fields.find((f) => f.required);
      const fields = validFields(type);
      if (required) delete fields[required.key];
      const bad = await api.call(claire, 'POST', '/tickets', {
        requestType: key,
        portal: 'retailer',
        summary: required ? 'ok' : '',
        fields,
      });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ code: 'validation_failed' });
      expect((bad.body.errors as Array<{ path: string }>)[0]?.path).toBe(
        required ? `fields.${required.key}` : 'summary',
      );
    },
  );

  it('returns the same ticket for a repeated Idempotency-Key, and refuses the key on another body', async () => {
    const key = { 'Idempotency-Key': `create-${Date.now()}` };
    const a = await create(claire, 'ask-a-question', {}, key);
    const b = await create(claire, 'ask-a-question', {}, key);
    expect((b.body.ticket as { reference: string }).reference).toBe((a.body.ticket as { reference: string }).reference);
    const c = await create(claire, 'ask-a-question', { summary: 'Autre chose' }, key);
    expect(c).toMatchObject({ status: 422, body: { code: 'idempotency_key_reused' } });
  });

  it('skips a number Temporal already has (a reset database) instead of joining that ticket', async () => {
    const last = (await api.svc.models.Counter.findById('ticket-reference').lean())!.value!;
    // A stranger's ticket under the next number, on a queue nobody polls.
    const stranger = await api.svc.workflows['client'].workflow.start('ticketWorkflow', {
      taskQueue: 'nobody-polls-this',
      workflowId: ticketWorkflowId(`SUPPORT-${last + 1}`),
      args: [],
    });
    const res = await create(claire, 'ask-a-question', {}, { 'Idempotency-Key': `skip-${Date.now()}` });
    expect(res.status).toBe(201);
    expect((res.body.ticket as { reference: string }).reference).toBe(`SUPPORT-${last + 2}`);
    expect(res.body.ticket).toMatchObject({ requester: { id: 'claire' } });
    await stranger.terminate('test over');
  });

  it('gives concurrent creates distinct, sequential references', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => create(hugo, 'ask-a-question')));
    const numbers = results
      .map((r) => Number((r.body.ticket as { reference: string }).reference.split('-')[1]))
      .sort((x, y) => x - y);
    expect(new Set(numbers).size).toBe(8);
    expect(numbers.at(-1)! - numbers[0]!).toBe(7);
  });

  it('shows a ticket only to who may see it; others get 404', async () => {
    const normal = (await create(claire, 'ask-a-question')).body.ticket as { reference: string };
    const secret = (await create(claire, 'report-a-vulnerability')).body.ticket as { reference: string };
    const onlyReporterAndSecurity = { claire: 200, hugo: 404, ines: 404, paul: 404, sarah: 200, admin: 200 };
    const status = async (who: VerifiedIdentity, reference: string) =>
      (await api.call(who, 'GET', `/tickets/${reference}`)).status;
    const matrix = async (reference: string) => ({
      claire: await status(claire, reference),
      hugo: await status(hugo, reference),
      ines: await status(ines, reference),
      paul: await status(paul, reference),
      sarah: await status(sarah, reference),
      admin: await status(admin, reference),
    });
    expect(await matrix(normal.reference)).toEqual({
      claire: 200,
      hugo: 200,
      ines: 404,
      paul: 200,
      sarah: 200,
      admin: 200,
    });
    expect(await matrix(secret.reference)).toEqual(onlyReporterAndSecurity);
    // The same answer once the read model has caught up.
    await eventually(
      () => api.svc.models.tickets().findOne({ _id: secret.reference as never }),
      (d) => d !== null,
    );
    expect(await matrix(secret.reference)).toEqual(onlyReporterAndSecurity);
    expect((await api.call(undefined, 'GET', `/tickets/${normal.reference}`)).status).toBe(401);
  });

  it('takes actions for the roles that may, and hides internal entries from customers', async () => {
    const { reference } = (await create(claire, 'report-a-bug')).body.ticket as { reference: string };
    const qualify = { payload: { priority: 'high', billable: false, assignment: { agentId: 'paul' } } };
    const refused = await api.call(claire, 'POST', `/tickets/${reference}/actions/qualify`, qualify);
    expect(refused).toMatchObject({ status: 409, body: { code: 'role_not_allowed' } });
    expect(refused.headers.get('x-allowed-actions')).toBe('comment,share,attach');
    expect(
      (await api.call(ines, 'POST', `/tickets/${reference}/actions/comment`, { payload: { body: 'x' } })).status,
    ).toBe(404);

    const done = await api.call(paul, 'POST', `/tickets/${reference}/actions/qualify`, qualify);
    expect(done).toMatchObject({ status: 200, body: { ticket: { status: 'assigned', priority: 'high' } } });
    const noted = await api.call(paul, 'POST', `/tickets/${reference}/actions/addInternalNote`, {
      payload: { body: 'client important' },
    });
    // The action answers once the read model holds its version: the next read shows it.
    const version = (noted.body.ticket as { version: number }).version;
    const seenByAgent = await api.call(paul, 'GET', `/tickets/${reference}`);
    expect((seenByAgent.body.ticket as { version: number }).version).toBe(version);
    const seenByCustomer = await api.call(claire, 'GET', `/tickets/${reference}`);
    const kinds = (r: typeof seenByAgent) =>
      ((r.body.ticket as { activity: Array<{ kind: string }> }).activity ?? []).map((e) => e.kind);
    expect(kinds(seenByAgent)).toContain('internal_note');
    expect(kinds(seenByCustomer)).not.toContain('internal_note');
    expect(seenByCustomer.body.ticket).not.toHaveProperty('slaPolicy');
    // The action's payload schema (the contract's) is checked before the workflow is asked.
    const bad = await api.call(paul, 'POST', `/tickets/${reference}/actions/reply`, { payload: { body: ' ' } });
    expect(bad).toMatchObject({
      status: 400,
      body: { code: 'validation_failed', errors: [{ path: 'payload.body' }] },
    });
    expect((await api.call(paul, 'POST', `/tickets/${reference}/actions/fly`, {})).status).toBe(404);
  });

  it('answers a create and an action once the read model holds their version (read your writes)', async () => {
    const readModel = (reference: string) =>
      api.svc.models.tickets().findOne({ _id: reference as never }, { projection: { version: 1 } });
    const created = await create(claire, 'ask-a-question');
    const { reference, version } = created.body.ticket as { reference: string; version: number };
    expect(await readModel(reference)).toMatchObject({ version });
    // Straight into the requester's list, no waiting.
    const list = await api.call(claire, 'GET', '/tickets?scope=created');
    expect((list.body.items as Array<{ reference: string }>).map((t) => t.reference)).toContain(reference);
    for (let i = 0; i < 3; i++) {
      const res = await api.call(claire, 'POST', `/tickets/${reference}/actions/comment`, {
        payload: { body: `m${i}` },
      });
      expect(res.status).toBe(200);
      const now = (res.body.ticket as { version: number }).version;
      expect(now).toBe(version + i + 1);
      expect(await readModel(reference)).toMatchObject({ version: now });
    }
  });

  it('answers 503 with Retry-After, in time, when the workflow does not answer (worker down)', async () => {
    const reference = `SUPPORT-${Date.now()}9`;
    // A ticket the read model knows, whose workflow sits on a queue no worker polls.
    const stranger = await api.svc.workflows['client'].workflow.start('ticketWorkflow', {
      taskQueue: 'nobody-polls-this',
      workflowId: ticketWorkflowId(reference),
      args: [],
    });
    await api.svc.models.tickets().insertOne({
      _id: reference as never,
      version: 1,
      status: 'open',
      confidential: false,
      requester: { id: claire.userId, name: 'Claire' },
      organizationId: 'org-enseigne',
      assignment: { team: 'support' },
    });
    const started = Date.now();
    const res = await api.call(claire, 'POST', `/tickets/${reference}/actions/comment`, { payload: { body: 'allô' } });
    const took = Date.now() - started;
    await stranger.terminate('test over');
    expect(res).toMatchObject({ status: 503, body: { code: 'service_unavailable' } });
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    // Before the gateway gives up (its upstream timeout, 5 s): the deadline, not a hang.
    expect(took).toBeLessThan(5_000);
  });
});
