import { REQUEST_TYPES, type TicketListItem, type TicketStatus } from '@woop/contracts';
import type { VerifiedIdentity } from '@woop/service-kit';
import {
  ACCESS_SEATS,
  ACCESS_TABLE,
  type AccessRow,
  type AccessSeat,
} from '../../packages/contracts/src/tickets/access-table';
import { validFields } from '../support/forms';
import { eventually } from '../support/eventually';
import { admin, claire, hugo, ines, lucas, paul, person, sarah, userEvent } from '../support/people';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';

/**
 * The "Who may do what" table (docs/tickets-api.md), every cell taken on the tickets service (real Temporal,
 * FerretDB, Kafka). Claire's request (organisation "enseigne") is shared with lucas by claire and
 * with mila by an agent; each cell is taken in the row's status, so a refusal is about who the
 * caller is: an action that would change the request gets a request of its own for each caller
 * it allows (the callers it refuses try first, on one of them), the rest share one request.
 * Refusals must also be missing from `allowed`.
 */

const mila = person('mila', 'customer', { organizationId: 'org-enseigne', name: 'Mila Petit' });
const oscar = person('oscar', 'customer', { organizationId: 'org-enseigne', name: 'Oscar Admin', orgAdmin: true });
const tom = person('tom', 'customer', { organizationId: 'org-enseigne', name: 'Tom Roux' });
const dora = person('dora', 'agent', { teams: ['dpo'], name: 'Dora DPO' });

const SEATS: Record<AccessSeat, VerifiedIdentity> = {
  requester: claire,
  colleague: hugo,
  sharedByRequester: lucas,
  sharedByTeam: mila,
  otherOrganization: ines,
  organizationAdmin: oscar,
  support: paul,
  security: sarah,
  dpo: dora,
  admin,
};

/** Rows whose action changes the request (its status, or who it is shared with). */
const CHANGING = new Set([
  'qualify',
  'start',
  'requestInformation',
  'resolve',
  'reject',
  'provideInformation',
  'acceptResolution',
  'rejectResolution',
  'acceptRejection',
  'contestRejection',
  'reopen',
  'rate',
  'unshareSelf',
]);

const PAYLOADS: Record<string, Record<string, unknown>> = {
  qualify: { priority: 'high', billable: false },
  assign: { agentId: 'paul' },
  requestInformation: { question: 'Quel numéro de commande ?' },
  reply: { body: 'Une réponse' },
  addInternalNote: { body: 'Une note interne' },
  changePriority: { priority: 'high' },
  resolve: { answer: 'Voici la réponse.' },
  reject: { reason: 'Hors périmètre.' },
  provideInformation: { body: 'La commande 42.' },
  comment: { body: 'Un commentaire' },
  rejectResolution: { reason: 'Pas encore.' },
  contestRejection: { reason: 'Si, svp.' },
  reopen: { reason: 'Encore une question.' },
  rate: { score: 4, comment: 'Merci' },
};

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

describe('"Who may do what": every cell of the table of docs/tickets-api.md, on the tickets service', () => {
  let api: TicketsApi;
  beforeAll(async () => {
    api = await startTicketsApi();
    await api.registerPeople([claire, hugo, lucas, mila, ines, oscar, tom, paul, sarah, dora, admin]);
  }, 120_000);
  // Its worker holds some fifty workflows: a loaded machine takes more than a minute to stop it.
  afterAll(() => api?.stop(), 180_000);

  const ok = async (res: Promise<{ status: number; body: Record<string, unknown> }>, what: string) => {
    const r = await res;
    if (r.status >= 300) throw new Error(`setup: ${what} answered ${r.status} ${JSON.stringify(r.body)}`);
    return r;
  };
  const act = (who: VerifiedIdentity, ref: string, action: string, payload: Record<string, unknown> = {}) =>
    api.call(who, 'POST', `/tickets/${ref}/actions/${action}`, { payload });

  /** At most a few requests set up at once: all of them at once overwhelm a small machine's Temporal. */
  let running = 0;
  const waiting: Array<() => void> = [];
  async function limited<T>(work: () => Promise<T>): Promise<T> {
    while (running >= 6) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await work();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  }
  const requestIn = (status: TicketStatus, requestType?: string) => limited(() => setUp(status, requestType));

  /** Claire's request, shared with lucas by her and with mila by paul, in `status`. */
  async function setUp(status: TicketStatus, requestType = 'ask-a-question'): Promise<string> {
    const type = REQUEST_TYPES.find((t) => t.key === requestType)!;
    const created = await ok(
      api.call(claire, 'POST', '/tickets', {
        requestType,
        portal: 'retailer',
        summary: `Qui peut quoi (${status})`,
        fields: validFields(type),
      }),
      'create',
    );
    const ref = (created.body.ticket as { reference: string }).reference;
    if (requestType !== 'ask-a-question') return ref; // confidential: never shared
    await ok(api.call(claire, 'POST', `/tickets/${ref}/share`, { userIds: ['lucas'] }), 'claire shares');
    await ok(api.call(paul, 'POST', `/tickets/${ref}/share`, { userIds: ['mila'] }), 'paul shares');
    const path: Array<[VerifiedIdentity, string, Record<string, unknown>]> = [];
    const assigned = ['assigned', 'in_progress', 'waiting_for_customer', 'resolved', 'done', 'rejected'];
    if (assigned.includes(status)) {
      path.push([paul, 'qualify', { priority: 'medium', billable: false, assignment: { agentId: 'paul' } }]);
    }
    if (assigned.slice(1).includes(status)) path.push([paul, 'start', {}]);
    if (status === 'waiting_for_customer') path.push([paul, 'requestInformation', { question: 'Lequel ?' }]);
    if (status === 'resolved' || status === 'done') path.push([paul, 'resolve', { answer: 'Voilà.' }]);
    if (status === 'done') path.push([claire, 'acceptResolution', {}]);
    if (status === 'rejected') path.push([paul, 'reject', { reason: 'Non.' }]);
    for (const [who, action, payload] of path) await ok(act(who, ref, action, payload), `${action} (→ ${status})`);
    return ref;
  }

  /** A cell as observed: what the API answered, in the table's terms. */
  const accessOf = (status: number, body: Record<string, unknown>): string => {
    if (status >= 200 && status < 300) return 'yes';
    if (status === 404 && body.code === 'ticket_not_found') return 'hidden';
    if (status === 404 && body.code === 'not_shared') return 'n/a';
    if ((status === 403 && body.code === 'forbidden') || (status === 409 && body.code === 'role_not_allowed')) {
      return 'no';
    }
    return `${status} ${String(body.code)}`;
  };

  /** Takes the row's cell for `seat` on `ref`. */
  async function take(row: AccessRow, seat: AccessSeat, ref: string, file: string): Promise<string> {
    const who = SEATS[seat];
    const detail = () => api.call(who, 'GET', `/tickets/${ref}`);
    switch (row.key) {
      case 'see':
      case 'seeConfidential': {
        const res = await detail();
        return accessOf(res.status, res.body);
      }
      case 'list': {
        const res = await api.call(who, 'GET', '/tickets?status=all&limit=100');
        const items = res.body.items as TicketListItem[];
        return items.some((i) => i.reference === ref) ? 'yes' : 'hidden';
      }
      case 'internalNotes': {
        const res = await detail();
        if (res.status !== 200) return accessOf(res.status, res.body);
        const activity = (res.body.ticket as { activity: Array<{ kind: string }> }).activity;
        return activity.some((e) => e.kind === 'internal_note') ? 'yes' : 'no';
      }
      case 'attachments': {
        const res = await api.call(who, 'GET', `/tickets/${ref}/attachments`);
        return accessOf(res.status, res.body);
      }
      case 'download': {
        const res = await api.send(who, 'GET', `/tickets/${ref}/attachments/${file}`);
        return accessOf(res.status, res.status === 200 ? {} : ((await res.json()) as Record<string, unknown>));
      }
      case 'attach': {
        const res = await api.send(who, 'POST', `/tickets/${ref}/attachments?filename=capture.png`, PNG, {
          'content-type': 'image/png',
        });
        return accessOf(res.status, res.status < 300 ? {} : ((await res.json()) as Record<string, unknown>));
      }
      case 'share': {
        const res = await api.call(who, 'POST', `/tickets/${ref}/share`, { userIds: ['tom'] });
        return accessOf(res.status, res.body);
      }
      case 'unshareOther': {
        await ok(api.call(admin, 'POST', `/tickets/${ref}/share`, { userIds: ['tom'] }), 'admin shares tom');
        const res = await api.call(who, 'DELETE', `/tickets/${ref}/share/tom`);
        return accessOf(res.status, res.body);
      }
      case 'unshareSelf': {
        const res = await api.call(who, 'DELETE', `/tickets/${ref}/share/${who.userId}`);
        return accessOf(res.status, res.body);
      }
      default: {
        const res = await act(who, ref, row.key, PAYLOADS[row.key] ?? {});
        return accessOf(res.status, res.body);
      }
    }
  }

  /** What `allowed` says of the row's action for `seat` (reads: nothing to say). */
  async function offered(row: AccessRow, seat: AccessSeat, ref: string): Promise<boolean | undefined> {
    // Reads and files have no action in `allowed`; `unshare` is offered by whom one may remove.
    const reads = ['see', 'list', 'internalNotes', 'attachments', 'download', 'seeConfidential', 'attach'];
    if (reads.includes(row.key) || row.key.startsWith('unshare')) return undefined;
    const action = row.key;
    const res = await api.call(SEATS[seat], 'GET', `/tickets/${ref}`);
    if (res.status !== 200) return undefined;
    return (res.body.allowed as string[]).includes(action);
  }

  /** Runs one row: its cells that differ from the table. */
  async function wrongCells(row: AccessRow): Promise<string[]> {
    const confidential = row.key === 'seeConfidential';
    const allowedSeats = ACCESS_SEATS.filter((s) => row.cells[s] === 'yes');
    const refusedSeats = ACCESS_SEATS.filter((s) => row.cells[s] !== 'yes');
    const separate = CHANGING.has(row.key);
    const refs = await Promise.all(
      (separate ? allowedSeats : [undefined]).map(() =>
        requestIn(row.status, confidential ? 'report-a-vulnerability' : 'ask-a-question'),
      ),
    );
    const file = await Promise.all(
      refs.map(async (ref) => {
        const res = await api.send(claire, 'POST', `/tickets/${ref}/attachments?filename=piece.png`, PNG, {
          'content-type': 'image/png',
        });
        return ((await res.json()) as { id: string }).id;
      }),
    );
    if (row.key === 'internalNotes') {
      await ok(act(paul, refs[0]!, 'addInternalNote', { body: 'Note interne' }), 'note');
    }
    const wrong: string[] = [];
    const check = async (seat: AccessSeat, i: number) => {
      const expected = row.cells[seat];
      const before = expected === 'yes' || expected === 'no' ? await offered(row, seat, refs[i]!) : undefined;
      const actual = await take(row, seat, refs[i]!, file[i]!);
      if (actual !== expected) wrong.push(`${seat}: expected ${expected}, got ${actual}`);
      if (before !== undefined && before !== (expected === 'yes')) {
        wrong.push(`${seat}: ${row.key} ${before ? 'offered' : 'not offered'} in allowed`);
      }
    };
    for (const seat of refusedSeats) await check(seat, 0);
    if (separate) await Promise.all(allowedSeats.map((seat, i) => check(seat, i)));
    else for (const seat of allowedSeats) await check(seat, 0);
    return wrong;
  }

  // Every row at once (each on requests of its own): the table takes a few seconds, not minutes.
  // Started by the first row's test (so that `-t` on another test does not take the table).
  const results = new Map<string, Promise<string[]>>();
  const startRows = () => {
    if (results.size > 0) return;
    for (const row of ACCESS_TABLE) {
      const result = wrongCells(row);
      result.catch(() => undefined); // reported by the row's test
      results.set(row.key, result);
    }
  };

  it.each(ACCESS_TABLE.map((r) => [r.key, r] as const))(
    '%s',
    async (key) => {
      startRows();
      expect(await results.get(key)).toEqual([]);
    },
    180_000,
  );

  // Issue #23, finding 2: hugo (a colleague) shared claire's answered request with himself, then
  // validated it. Now he may not share it, and a share by anyone but claire decides nothing.
  it('never lets a colleague make himself a decider, by sharing it himself or being shared by the team', async () => {
    const ref = await requestIn('resolved');
    expect(await act(hugo, ref, 'acceptResolution')).toMatchObject({ status: 409, body: { code: 'role_not_allowed' } });
    const shared = await api.call(hugo, 'POST', `/tickets/${ref}/share`, { userIds: ['hugo'] });
    expect(shared).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    await ok(api.call(paul, 'POST', `/tickets/${ref}/share`, { userIds: ['hugo'] }), 'paul shares hugo');
    const view = await api.call(hugo, 'GET', `/tickets/${ref}`);
    expect(view.body.allowed).not.toContain('acceptResolution');
    expect(view.body.allowed).toContain('unshare'); // himself
    expect(await act(hugo, ref, 'acceptResolution')).toMatchObject({ status: 409, body: { code: 'role_not_allowed' } });
    expect((await api.call(claire, 'GET', `/tickets/${ref}`)).body.ticket).toMatchObject({ status: 'resolved' });
    // Removed by an agent and shared again by claire: now he decides.
    await ok(api.call(paul, 'DELETE', `/tickets/${ref}/share/hugo`), 'paul removes hugo');
    await ok(api.call(claire, 'POST', `/tickets/${ref}/share`, { userIds: ['hugo'] }), 'claire shares hugo');
    await ok(act(hugo, ref, 'acceptResolution'), 'hugo validates');
  });

  // Finding 8: a request is assigned to an active agent of its team (or an admin), nobody else.
  it('assigns a request only to an active agent of its team, or an admin', async () => {
    const gone = person('gaspard', 'agent', { teams: ['support'], name: 'Gaspard Parti' });
    await api.registerPeople([gone]);
    await api.publishUserEvents([userEvent('user.deactivated', gone)]);
    await eventually(
      () =>
        api.svc.models
          .native()
          .collection('people')
          .findOne({ _id: 'gaspard' as never }),
      (p) => p?.status === 'deactivated',
    );
    const ref = await requestIn('assigned');
    for (const [agentId, code] of [
      ['claire', 'assignee_not_agent'],
      ['nobody-at-all', 'assignee_not_agent'],
      ['gaspard', 'assignee_not_agent'],
      ['dora', 'assignee_not_in_team'],
    ] as const) {
      const res = await act(paul, ref, 'assign', { agentId });
      expect({ agentId, status: res.status, code: res.body.code }).toEqual({ agentId, status: 422, code });
    }
    const qualify = await act(paul, await requestIn('open'), 'qualify', {
      priority: 'low',
      billable: false,
      assignment: { agentId: 'hugo' },
    });
    expect(qualify).toMatchObject({ status: 422, body: { code: 'assignee_not_agent' } });
    await ok(act(paul, ref, 'assign', { agentId: 'dora', team: 'dpo' }), 'to dora with her team');
    await ok(act(paul, ref, 'assign', { agentId: 'admin' }), 'to an admin');
    expect((await api.call(paul, 'GET', `/tickets/${ref}`)).body.ticket).toMatchObject({
      assignment: { agentId: 'admin', team: 'dpo' },
    });
  });

  // Finding 8: a customer moved to another organisation keeps nothing of the old one's requests
  // shared with them; the requests they filed stay theirs. Last: lucas stays moved.
  it("drops the old organisation's shares of a customer moved to another one, not their own requests", async () => {
    const ref = await requestIn('resolved');
    const own = (
      await ok(
        api.call(lucas, 'POST', '/tickets', {
          requestType: 'ask-a-question',
          portal: 'retailer',
          summary: 'La mienne',
          fields: validFields(REQUEST_TYPES.find((t) => t.key === 'ask-a-question')!),
        }),
        'lucas files',
      )
    ).body.ticket as { reference: string };
    const moved = { ...lucas, organizationId: 'org-transports' };
    await api.publishUserEvents([userEvent('user.updated', moved)]);
    expect(await api.call(moved, 'GET', `/tickets/${ref}`)).toMatchObject({ status: 404 });
    expect(await act(moved, ref, 'acceptResolution')).toMatchObject({
      status: 404,
      body: { code: 'ticket_not_found' },
    });
    for (const scope of ['all', 'shared']) {
      const list = await api.call(moved, 'GET', `/tickets?status=all&scope=${scope}&limit=100`);
      expect((list.body.items as TicketListItem[]).map((i) => i.reference)).not.toContain(ref);
    }
    expect(await api.call(moved, 'GET', `/tickets/${own.reference}`)).toMatchObject({ status: 200 });
    const mine = await api.call(moved, 'GET', '/tickets?status=all&scope=created&limit=100');
    expect((mine.body.items as TicketListItem[]).map((i) => i.reference)).toContain(own.reference);
    expect((await api.call(claire, 'GET', `/tickets/${ref}`)).body.ticket).toMatchObject({ status: 'resolved' });
    // And the share itself goes (no more emails, no name on the page): he left it.
    await eventually(
      async () =>
        (await api.call(claire, 'GET', `/tickets/${ref}`)).body.ticket as { sharedWith: Array<{ id: string }> },
      (t) => !t.sharedWith.some((p) => p.id === 'lucas'),
    );
  });
});
