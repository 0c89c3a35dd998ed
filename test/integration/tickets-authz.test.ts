import { REQUEST_TYPES, type RequestTypeDefinition, type TicketListItem } from '@woop/contracts';
import type { VerifiedIdentity } from '@woop/service-kit';
import { validFields } from '../support/forms';
import { admin, claire, hugo, ines, lucas, noa, paul, sarah } from '../support/people';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';

/**
 * The authorization matrix of the tickets service (issue #5): every endpoint, for every kind of
 * caller, on a normal request, a confidential one (left with security, or handed over to the
 * support team) and one that does not exist. The expected answers are written out from the
 * rule of docs/tickets-api.md, not from the code:
 *
 * - a ticket is seen by its requester, the people it is shared with, its organisation unless it
 *   is confidential, any agent if it is not confidential (confidential: the `security` team or
 *   the team it is assigned or escalated to), admins; a customer without organisation files
 *   requests that belong to no organisation, which nobody else's organisation sees and which
 *   cannot be shared (409); anyone else gets the same 404
 *   (`ticket_not_found`) as for a ticket that does not exist, on every route, never a 403;
 * - no identity: 401 everywhere but the catalogue's reads, which are public;
 * - queues: customers 403; catalogue edits: customers and agents 403.
 *
 * One test per row (a person, or a person and a ticket); a failing row lists its wrong cells.
 */

// The cast of test/support/people.ts: claire is the requester; lucas is only ever the person
// shared or unshared, never a caller; noa belongs to no organisation and files the personal ticket.

const CALLERS = { claire, hugo, ines, noa, paul, sarah, admin, none: undefined } satisfies Record<
  string,
  VerifiedIdentity | undefined
>;
type Caller = keyof typeof CALLERS;

/**
 * What a cell observes: the status code, except that a 404 other than `ticket_not_found` says
 * which one (so that a plain 404 always means "no such ticket for you"), and lists and queues say
 * whether the ticket is in them.
 */
type Outcome = number | 'listed' | 'unlisted' | '404 not_shared' | '404 attachment_not_found';
const IN: Outcome = 'listed';
const OUT: Outcome = 'unlisted';
/** DELETE …/share/lucas on a ticket shared with nobody (a confidential one: it never is). */
const NOT_SHARED: Outcome = '404 not_shared';
/** A file of another ticket asked for through this one. */
const NO_FILE: Outcome = '404 attachment_not_found';

// ---- person × endpoint (no ticket involved) -------------------------------------------------

const GLOBAL_COLUMNS = [
  'GET /catalogue',
  'GET /catalogue/:key',
  'GET /catalogue/:key/versions/1',
  'PUT /catalogue/:key',
  'POST /tickets',
  'GET /tickets',
  'GET /queues',
] as const;

// prettier-ignore
const GLOBAL_TABLE: Record<Caller, Outcome[]> = {
  //       cat  key  v1   PUT  create list queues
  claire: [200, 200, 200, 403, 201,   200, 403],
  hugo:   [200, 200, 200, 403, 201,   200, 403],
  ines:   [200, 200, 200, 403, 201,   200, 403],
  noa:    [200, 200, 200, 403, 201,   200, 403],
  paul:   [200, 200, 200, 403, 201,   200, 200],
  sarah:  [200, 200, 200, 403, 201,   200, 200],
  admin:  [200, 200, 200, 201, 201,   200, 200],
  none:   [200, 200, 200, 401, 401,   401, 401],
};

// ---- person × endpoint × ticket -------------------------------------------------------------

const TICKET_COLUMNS = [
  'GET /tickets/:ref',
  'GET /tickets (listed?)',
  'POST /tickets/:ref/actions/comment',
  'POST /tickets/:ref/actions/reply',
  'POST /tickets/:ref/share',
  'DELETE /tickets/:ref/share/lucas',
  'POST /tickets/:ref/attachments',
  'GET /tickets/:ref/attachments',
  'GET /tickets/:ref/attachments/:id',
  "GET /tickets/:ref/attachments/:id (the other ticket's file)",
  'GET /queues/unassigned (listed?)',
] as const;

type TicketName = 'normal' | 'confidential' | 'confidentialSupport' | 'personal' | 'missing';
const TICKET_LABELS: Record<TicketName, string> = {
  normal: 'the normal ticket',
  confidential: 'the confidential ticket',
  confidentialSupport: 'the confidential ticket assigned to support',
  personal: 'the ticket of a customer without organisation',
  missing: 'a ticket that does not exist',
};

// Customers comment and agents reply: the other role's action is refused (409) on a ticket they
// see. Sharing is with lucas (org A); a confidential ticket is never shared (409), so there is
// never anyone to remove from it. Hugo sees the normal ticket through his organisation but may
// not share it (the requester's, issue #23) and may only remove himself from "Partagé avec"
// (403 for lucas).
// prettier-ignore
const TICKET_TABLE: Record<TicketName, Record<Caller, Outcome[]>> = {
  //                   detail list comment reply share unshare  upload files file other    queue
  normal: {
    claire:           [200,   IN,  200,    409,  200,  200,        201, 200,  200, NO_FILE, 403],
    hugo:             [200,   IN,  200,    409,  403,  403,        201, 200,  200, NO_FILE, 403],
    ines:             [404,   OUT, 404,    404,  404,  404,        404, 404,  404, 404,     403],
    noa:              [404,   OUT, 404,    404,  404,  404,        404, 404,  404, 404,     403],
    paul:             [200,   IN,  409,    200,  200,  200,        201, 200,  200, NO_FILE, IN],
    sarah:            [200,   IN,  409,    200,  200,  200,        201, 200,  200, NO_FILE, IN],
    admin:            [200,   IN,  409,    200,  200,  200,        201, 200,  200, NO_FILE, IN],
    none:             [401,   401, 401,    401,  401,  401,        401, 401,  401, 401,     401],
  },
  confidential: {
    claire:           [200,   IN,  200,    409,  409,  NOT_SHARED, 201, 200,  200, NO_FILE, 403],
    hugo:             [404,   OUT, 404,    404,  404,  404,        404, 404,  404, 404,     403],
    ines:             [404,   OUT, 404,    404,  404,  404,        404, 404,  404, 404,     403],
    noa:              [404,   OUT, 404,    404,  404,  404,        404, 404,  404, 404,     403],
    paul:             [404,   OUT, 404,    404,  404,  404,        404, 404,  404, 404,     OUT],
    sarah:            [200,   IN,  409,    200,  409,  NOT_SHARED, 201, 200,  200, NO_FILE, IN],
    admin:            [200,   IN,  409,    200,  409,  NOT_SHARED, 201, 200,  200, NO_FILE, IN],
    none:             [401,   401, 401,    401,  401,  401,        401, 401,  401, 401,     401],
  },
  // The same, handed over to the support team by security (qualified with that assignment): its
  // team's agents see it too.
  confidentialSupport: {
    claire:           [200,   IN,  200,    409,  409,  NOT_SHARED, 201, 200,  200, NO_FILE, 403],
    hugo:             [404,   OUT, 404,    404,  404,  404,        404, 404,  404, 404,     403],
    ines:             [404,   OUT, 404,    404,  404,  404,        404, 404,  404, 404,     403],
    noa:              [404,   OUT, 404,    404,  404,  404,        404, 404,  404, 404,     403],
    paul:             [200,   IN,  409,    200,  409,  NOT_SHARED, 201, 200,  200, NO_FILE, IN],
    sarah:            [200,   IN,  409,    200,  409,  NOT_SHARED, 201, 200,  200, NO_FILE, IN],
    admin:            [200,   IN,  409,    200,  409,  NOT_SHARED, 201, 200,  200, NO_FILE, IN],
    none:             [401,   401, 401,    401,  401,  401,        401, 401,  401, 401,     401],
  },
  // Filed by noa, who belongs to no organisation: nobody's organisation sees it, nobody can be
  // added to it (409), so there is never anyone to remove.
  personal: {
    claire:           [404,   OUT, 404,    404,  404,  404,        404, 404,  404, 404,     403],
    hugo:             [404,   OUT, 404,    404,  404,  404,        404, 404,  404, 404,     403],
    ines:             [404,   OUT, 404,    404,  404,  404,        404, 404,  404, 404,     403],
    noa:              [200,   IN,  200,    409,  409,  NOT_SHARED, 201, 200,  200, NO_FILE, 403],
    paul:             [200,   IN,  409,    200,  409,  NOT_SHARED, 201, 200,  200, NO_FILE, IN],
    sarah:            [200,   IN,  409,    200,  409,  NOT_SHARED, 201, 200,  200, NO_FILE, IN],
    admin:            [200,   IN,  409,    200,  409,  NOT_SHARED, 201, 200,  200, NO_FILE, IN],
    none:             [401,   401, 401,    401,  401,  401,        401, 401,  401, 401,     401],
  },
  // Never created: the 404 (`ticket_not_found`) that everyone who may not see a ticket gets.
  missing: {
    claire:           [404,   OUT, 404,    404,  404,  404,        404, 404,  404, 404,     403],
    hugo:             [404,   OUT, 404,    404,  404,  404,        404, 404,  404, 404,     403],
    ines:             [404,   OUT, 404,    404,  404,  404,        404, 404,  404, 404,     403],
    noa:              [404,   OUT, 404,    404,  404,  404,        404, 404,  404, 404,     403],
    paul:             [404,   OUT, 404,    404,  404,  404,        404, 404,  404, 404,     OUT],
    sarah:            [404,   OUT, 404,    404,  404,  404,        404, 404,  404, 404,     OUT],
    admin:            [404,   OUT, 404,    404,  404,  404,        404, 404,  404, 404,     OUT],
    none:             [401,   401, 401,    401,  401,  401,        401, 401,  401, 401,     401],
  },
};

/** A reference never allocated: the regex allows 16 digits, the harness's floors are 14. */
const MISSING = 'SUPPORT-9999999999999999';
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const typeOf = (key: string) => REQUEST_TYPES.find((t) => t.key === key)!;
/** The body of a PUT: a definition without its key and version. */
const bodyOf = ({ key: _key, version: _version, ...rest }: RequestTypeDefinition) => rest;

describe('authorization matrix of the tickets service', () => {
  let api: TicketsApi;
  const refs = {} as Record<TicketName, string>;
  /** One file of each ticket (the missing one borrows the normal one's). */
  const files = {} as Record<TicketName, string>;

  beforeAll(async () => {
    api = await startTicketsApi();
    await api.registerPeople([claire, hugo, lucas, ines, noa]);
    refs.normal = await create(claire, 'ask-a-question');
    refs.personal = await create(noa, 'ask-a-question');
    refs.confidential = await create(claire, 'report-a-vulnerability');
    refs.confidentialSupport = await create(claire, 'report-a-vulnerability');
    const handOver = await api.call(sarah, 'POST', `/tickets/${refs.confidentialSupport}/actions/qualify`, {
      payload: { priority: 'medium', billable: false, assignment: { team: 'support' } },
    });
    expect(handOver).toMatchObject({ status: 200, body: { ticket: { assignment: { team: 'support' } } } });
    refs.missing = MISSING;
    for (const name of ['normal', 'confidential', 'confidentialSupport', 'personal'] as const) {
      const res = await upload(name === 'personal' ? noa : claire, refs[name]);
      expect(res.status).toBe(201);
      files[name] = ((await res.json()) as { id: string }).id;
    }
    files.missing = files.normal;
  });
  afterAll(() => api.stop());

  async function create(who: VerifiedIdentity | undefined, requestType: string) {
    const res = await api.call(who, 'POST', '/tickets', {
      requestType,
      portal: 'retailer',
      summary: `Matrice d'accès (${requestType})`,
      fields: validFields(typeOf(requestType)),
    });
    if (res.status !== 201) throw new Error(`setup: ${requestType} not created (${res.status})`);
    return (res.body.ticket as { reference: string }).reference;
  }
  const upload = (who: VerifiedIdentity | undefined, reference: string) =>
    api.send(who, 'POST', `/tickets/${reference}/attachments?filename=capture.png`, PNG, {
      'content-type': 'image/png',
    });

  const outcome = (status: number, body: Record<string, unknown>): Outcome =>
    status === 404 && body.code !== 'ticket_not_found' ? (`404 ${String(body.code)}` as Outcome) : status;
  const call = async (who: VerifiedIdentity | undefined, method: string, path: string, body?: unknown) => {
    const res = await api.call(who, method, path, body);
    return outcome(res.status, res.body);
  };
  /** Whether `reference` is among the rows of a list (or the list's refusal). */
  const listed = async (who: VerifiedIdentity | undefined, path: string, reference: string) => {
    const res = await api.call(who, 'GET', path);
    if (res.status !== 200) return outcome(res.status, res.body);
    const items = res.body.items as TicketListItem[];
    return items.some((i) => i.reference === reference) ? IN : OUT;
  };

  /** The cells of a person's row, in the order of GLOBAL_COLUMNS. */
  const globalCells = (who: VerifiedIdentity | undefined, name: Caller): Array<() => Promise<Outcome>> => [
    () => call(who, 'GET', '/catalogue'),
    () => call(who, 'GET', '/catalogue/ask-a-question'),
    () => call(who, 'GET', '/catalogue/ask-a-question/versions/1'),
    // A key of one's own: an admin's edit is always a first version (201).
    () => call(who, 'PUT', `/catalogue/authz-${name}`, bodyOf(typeOf('ask-a-question'))),
    async () => {
      const res = await api.call(who, 'POST', '/tickets', {
        requestType: 'ask-a-question',
        portal: 'retailer',
        summary: `Créée par ${name}`,
        fields: validFields(typeOf('ask-a-question')),
      });
      return outcome(res.status, res.body);
    },
    () => call(who, 'GET', '/tickets'),
    () => call(who, 'GET', '/queues'),
  ];

  /** The cells of a person × ticket row, in the order of TICKET_COLUMNS. */
  const ticketCells = (who: VerifiedIdentity | undefined, ticket: TicketName): Array<() => Promise<Outcome>> => {
    const ref = refs[ticket];
    const other = ticket === 'normal' ? files.confidential : files.normal;
    return [
      () => call(who, 'GET', `/tickets/${ref}`),
      () => listed(who, '/tickets?status=all&limit=100', ref),
      () => call(who, 'POST', `/tickets/${ref}/actions/comment`, { payload: { body: 'Un commentaire' } }),
      () => call(who, 'POST', `/tickets/${ref}/actions/reply`, { payload: { body: 'Une réponse' } }),
      () => call(who, 'POST', `/tickets/${ref}/share`, { userIds: ['lucas'] }),
      async () => {
        // Whatever the cells before did, lucas is shared (where a ticket can be) when this one runs.
        if (ticket === 'normal') {
          const shared = await api.call(admin, 'POST', `/tickets/${ref}/share`, { userIds: ['lucas'] });
          if (shared.status !== 200) {
            throw new Error(`setup: admin could not share ${ref} with lucas (${shared.status})`);
          }
        }
        return call(who, 'DELETE', `/tickets/${ref}/share/lucas`);
      },
      async () => {
        const res = await upload(who, ref);
        return outcome(res.status, res.status === 201 ? {} : ((await res.json()) as Record<string, unknown>));
      },
      () => call(who, 'GET', `/tickets/${ref}/attachments`),
      async () => {
        const res = await api.send(who, 'GET', `/tickets/${ref}/attachments/${files[ticket]}`);
        return outcome(res.status, res.status === 200 ? {} : ((await res.json()) as Record<string, unknown>));
      },
      () => call(who, 'GET', `/tickets/${ref}/attachments/${other}`),
      () => listed(who, '/queues/unassigned?limit=100', ref),
    ];
  };

  /** Runs a row's cells one after the other; answers the cells that differ from the table. */
  async function wrongCells(columns: readonly string[], cells: Array<() => Promise<Outcome>>, expected: Outcome[]) {
    const wrong: string[] = [];
    for (const [i, column] of columns.entries()) {
      const actual = await cells[i]!();
      if (actual !== expected[i]) wrong.push(`${column}: expected ${expected[i]}, got ${actual}`);
    }
    return wrong;
  }

  const callers = Object.keys(CALLERS) as Caller[];

  it('has a cell for every column of every row', () => {
    for (const row of Object.values(GLOBAL_TABLE)) expect(row).toHaveLength(GLOBAL_COLUMNS.length);
    for (const ticket of Object.values(TICKET_TABLE)) {
      expect(Object.keys(ticket).sort()).toEqual([...callers].sort());
      for (const row of Object.values(ticket)) expect(row).toHaveLength(TICKET_COLUMNS.length);
    }
  });

  it.each(callers)('%s, on the endpoints of no ticket', async (name) => {
    const who = CALLERS[name];
    expect(await wrongCells(GLOBAL_COLUMNS, globalCells(who, name), GLOBAL_TABLE[name])).toEqual([]);
  });

  const rows = (Object.keys(TICKET_TABLE) as TicketName[]).flatMap((ticket) =>
    callers.map((name) => [name, TICKET_LABELS[ticket], ticket] as const),
  );
  it.each(rows)(
    '%s, on %s',
    async (name, _label, ticket) => {
      const who = CALLERS[name];
      expect(await wrongCells(TICKET_COLUMNS, ticketCells(who, ticket), TICKET_TABLE[ticket][name])).toEqual([]);
    },
    120_000,
  );
});

/**
 * Who decides a request's fate (issue #14): its requester and the people it is shared with
 * validate or reject its answer, accept or contest its rejection and reopen it; the rest of its
 * organisation reads it and comments. Refused before the workflow (409 `role_not_allowed`, with
 * what they may do), and never offered in `allowed`.
 */
describe("who decides a request's fate", () => {
  let api: TicketsApi;
  beforeAll(async () => {
    api = await startTicketsApi();
    await api.registerPeople([claire, hugo, lucas, ines, paul]);
  });
  afterAll(() => api.stop());

  const FATE = ['acceptResolution', 'rejectResolution', 'acceptRejection', 'contestRejection', 'reopen'];
  const act = (who: VerifiedIdentity, reference: string, action: string, payload: Record<string, unknown> = {}) =>
    api.call(who, 'POST', `/tickets/${reference}/actions/${action}`, { payload });
  const allowed = async (who: VerifiedIdentity, reference: string) =>
    ((await api.call(who, 'GET', `/tickets/${reference}`)).body.allowed as string[]) ?? [];
  const expectOk = async (res: Promise<{ status: number; body: Record<string, unknown> }>) =>
    expect((await res).status).toBe(200);

  /** Claire's request, shared with lucas, answered by paul (RÉSOLU). */
  async function resolvedRequest() {
    const created = await api.call(claire, 'POST', '/tickets', {
      requestType: 'ask-a-question',
      portal: 'retailer',
      summary: 'Qui décide ?',
      fields: validFields(typeOf('ask-a-question')),
    });
    expect(created.status).toBe(201);
    const ref = (created.body.ticket as { reference: string }).reference;
    await expectOk(api.call(claire, 'POST', `/tickets/${ref}/share`, { userIds: ['lucas'] }));
    await expectOk(act(paul, ref, 'qualify', { priority: 'medium', billable: false, assignment: { agentId: 'paul' } }));
    await expectOk(act(paul, ref, 'start'));
    await expectOk(act(paul, ref, 'resolve', { answer: 'Voici la réponse.' }));
    return ref;
  }

  it('lets a colleague read and comment, never validate, reject or reopen', async () => {
    const ref = await resolvedRequest();
    const hugoMay = await allowed(hugo, ref);
    expect(hugoMay).toContain('comment');
    expect(hugoMay.filter((a) => FATE.includes(a))).toEqual([]);
    expect(await allowed(claire, ref)).toEqual(expect.arrayContaining(['acceptResolution', 'rejectResolution']));
    expect(await allowed(lucas, ref)).toEqual(expect.arrayContaining(['acceptResolution', 'rejectResolution']));

    const refused = await act(hugo, ref, 'acceptResolution');
    expect(refused).toMatchObject({ status: 409, body: { code: 'role_not_allowed' } });
    expect(refused.headers.get('x-ticket-status')).toBe('resolved');
    expect(refused.headers.get('x-allowed-actions')?.split(',')).toContain('comment');
    expect(await act(hugo, ref, 'rejectResolution', { reason: 'Non' })).toMatchObject({
      status: 409,
      body: { code: 'role_not_allowed' },
    });
    expect((await api.call(claire, 'GET', `/tickets/${ref}`)).body.ticket).toMatchObject({ status: 'resolved' });
    await expectOk(act(hugo, ref, 'comment', { body: 'Je suis de la même enseigne.' }));

    // The person it is shared with decides, as the requester does.
    await expectOk(act(lucas, ref, 'rejectResolution', { reason: 'Pas encore.' }));
    await expectOk(act(paul, ref, 'resolve', { answer: 'Mieux ?' }));
    await expectOk(act(claire, ref, 'acceptResolution'));
    expect(await act(hugo, ref, 'reopen', { reason: 'Encore' })).toMatchObject({
      status: 409,
      body: { code: 'role_not_allowed' },
    });
    await expectOk(act(lucas, ref, 'reopen', { reason: 'Encore une question.' }));
  });

  it('keeps accepting or contesting a rejection to the requester and the people it is shared with', async () => {
    const created = await api.call(claire, 'POST', '/tickets', {
      requestType: 'ask-a-question',
      portal: 'retailer',
      summary: 'Refusée ?',
      fields: validFields(typeOf('ask-a-question')),
    });
    const ref = (created.body.ticket as { reference: string }).reference;
    await expectOk(act(paul, ref, 'reject', { reason: 'Hors périmètre.' }));
    expect((await allowed(hugo, ref)).filter((a) => FATE.includes(a))).toEqual([]);
    for (const [action, payload] of [
      ['acceptRejection', {}],
      ['contestRejection', { reason: 'Si' }],
    ] as const) {
      expect(await act(hugo, ref, action, payload)).toMatchObject({ status: 409, body: { code: 'role_not_allowed' } });
    }
    // Shared with hugo now: he decides too.
    await expectOk(api.call(claire, 'POST', `/tickets/${ref}/share`, { userIds: ['hugo'] }));
    expect(await allowed(hugo, ref)).toEqual(expect.arrayContaining(['acceptRejection', 'contestRejection']));
    await expectOk(act(hugo, ref, 'acceptRejection'));
  });
});
