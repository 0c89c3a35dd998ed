import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REQUEST_TYPES, type TicketStatus } from '@woop/contracts';
import { createLogger, type VerifiedIdentity } from '@woop/service-kit';
import {
  ACCESS_SEATS,
  ACCESS_TABLE,
  type AccessRow,
  type AccessSeat,
} from '../../../packages/contracts/src/tickets/access-table';
import { DEMO_PASSWORD, DEMO_USERS, seed } from '../../../services/identity/src/seed';
import { ApiClient } from '../../support/api-client';
import { eventually } from '../../support/eventually';
import { validFields } from '../../support/forms';
import { originOf, startGateway, type RunningGateway } from '../../support/gateway-harness';
import { startIdentity, type RunningIdentity } from '../../support/identity-harness';
import { person } from '../../support/people';
import { freePort } from '../../support/processes';
import { startTicketsApi, type TicketsApi } from '../../support/tickets-api-harness';

/**
 * The "Who may do what" table (docs/tickets-api.md) on the pages (gateway, identity and tickets; the
 * notifications service is left out: pages are served without its toggle). For every cell:
 * where the table says ✓ the request's page offers the action (its form); ✗, the page does not
 * offer it and the form sent anyway is refused with a sentence (never done); 404, the page and
 * the form are 404. The allowed cells are taken on the API (test/integration/access-table.test.ts);
 * here only refusals are sent, so each status needs one request. Comments, replies and internal
 * notes share one form (customers comment, agents reply or note): the API's table covers them.
 */

const ORG = 'org-enseigne-demo';
/** People the demo seed lacks: three more colleagues of the requester, and tom to share with. */
const EXTRA = (['lea', 'lucas', 'mila', 'tom'] as const).map((name) => ({
  _id: `user-${name}`,
  email: `${name}@enseigne.example`,
  fullName: `${name[0]!.toUpperCase()}${name.slice(1)} Access`,
  role: 'customer' as const,
  organizationId: ORG,
  orgAdmin: false,
  teams: [],
}));

/** The seat's person, by their email (the demo password for all). */
const EMAILS: Record<AccessSeat, string> = {
  requester: 'hugo@enseigne.example',
  colleague: 'lea@enseigne.example',
  sharedByRequester: 'lucas@enseigne.example',
  sharedByTeam: 'mila@enseigne.example',
  otherOrganization: 'ines@transports.example',
  organizationAdmin: 'claire@enseigne.example',
  support: 'paul@woop.example',
  security: 'sarah@woop.example',
  dpo: 'dora@woop.example',
  admin: 'admin@woop.example',
};

/** The identity the gateway signs for a seat, for setting requests up on the tickets API directly. */
function identityOf(email: string): VerifiedIdentity {
  const u = [...DEMO_USERS, ...EXTRA].find((x) => x.email === email)!;
  return person(u._id, u.role, {
    name: u.fullName,
    email: u.email,
    teams: u.teams,
    orgAdmin: u.orgAdmin,
    ...(u.organizationId ? { organizationId: u.organizationId } : {}),
  });
}

/** The fields each refused form is sent with (valid, so that only who one is refuses it). */
const FORM_FIELDS: Partial<Record<string, Record<string, string>>> = {
  qualify: { priority: 'high', billable: 'false' },
  assign: { agentId: 'user-paul' },
  requestInformation: { question: 'Laquelle ?' },
  changePriority: { priority: 'high' },
  resolve: { answer: 'Voilà.' },
  reject: { reason: 'Non.' },
  provideInformation: { body: 'La commande 42.' },
  rejectResolution: { reason: 'Pas encore.' },
  contestRejection: { reason: 'Si.' },
  reopen: { reason: 'Encore.' },
  rate: { score: '4' },
  share: { userId: 'user-tom' },
  unshareOther: { userId: 'user-tom' },
};
const fr = JSON.parse(
  readFileSync(join(__dirname, '../../../services/gateway/portal/locales/fr/portal.json'), 'utf8'),
) as Record<string, string>;
const NOT_ON_PAGES = new Set(['comment', 'reply', 'addInternalNote']);
/** The sentences a refused form may show (French, the sessions' language). */
const REFUSALS = [
  'request.decided-by-requester',
  'request.share-forbidden',
  'request.role-refused',
  'error.forbidden',
  'error.not_found',
].map((key) => {
  if (fr[key] === undefined) throw new Error(`no sentence ${key}`);
  return fr[key];
});
const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/'/g, '&#x27;').replace(/"/g, '&quot;');

describe('"Who may do what" on the pages', () => {
  let identity: RunningIdentity;
  let tickets: TicketsApi;
  let gateway: RunningGateway;
  const sessions = {} as Record<AccessSeat, ApiClient>;
  const refs = {} as Record<string, string>;
  const files = {} as Record<string, string>;

  beforeAll(async () => {
    // Tickets first: it learns people from the user.* events identity's seed publishes.
    tickets = await startTicketsApi();
    identity = await startIdentity();
    await seed(identity.svc.models, createLogger('test', 'silent'), EXTRA);
    gateway = await startGateway({
      IDENTITY_URL: originOf(identity.base),
      TICKETS_URL: originOf(tickets.base),
      NOTIFICATIONS_URL: `http://127.0.0.1:${await freePort()}`,
    });
    const ids = Object.values(EMAILS).map((e) => identityOf(e).userId);
    await eventually(
      () =>
        tickets.svc.models
          .native()
          .collection('people')
          .countDocuments({ _id: { $in: [...ids, 'user-tom'] as never[] } }),
      (n) => n === ids.length + 1,
      60_000,
    );
    const anonymous = await ApiClient.connect(gateway.origin);
    await Promise.all(
      ACCESS_SEATS.map(async (seat) => {
        const client = anonymous.fresh();
        const res = await client.post<{ csrfToken: string }>('/auth/login', {
          email: EMAILS[seat],
          password: DEMO_PASSWORD,
        });
        if (res.status !== 200) throw new Error(`setup: ${seat} could not log in (${res.status})`);
        client.csrfToken = res.body.csrfToken;
        sessions[seat] = client;
      }),
    );
    const statuses = [...new Set(ACCESS_TABLE.map((r) => r.status))];
    await Promise.all([
      ...statuses.map(async (s) => {
        refs[s] = await requestIn(s);
      }),
      (async () => {
        refs.confidential = await requestIn('open', 'report-a-vulnerability');
      })(),
    ]);
  }, 180_000);
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([identity?.stop(), tickets?.stop()]);
  });

  const hugo = () => identityOf(EMAILS.requester);
  const paul = () => identityOf(EMAILS.support);
  const ok = async (res: Promise<{ status: number; body: Record<string, unknown> }>, what: string) => {
    const r = await res;
    if (r.status >= 300) throw new Error(`setup: ${what} answered ${r.status} ${JSON.stringify(r.body)}`);
    return r;
  };

  /** Hugo's request, shared with lucas by him, with mila by paul and with tom by an admin, in `status`. */
  async function requestIn(status: TicketStatus, requestType = 'ask-a-question'): Promise<string> {
    const type = REQUEST_TYPES.find((t) => t.key === requestType)!;
    const created = await ok(
      tickets.call(hugo(), 'POST', '/tickets', {
        requestType,
        portal: 'retailer',
        summary: `Pages : qui peut quoi (${status})`,
        fields: validFields(type),
      }),
      'create',
    );
    const ref = (created.body.ticket as { reference: string }).reference;
    const upload = await tickets.send(hugo(), 'POST', `/tickets/${ref}/attachments?filename=piece.png`, PNG, {
      'content-type': 'image/png',
    });
    files[ref] = ((await upload.json()) as { id: string }).id;
    if (requestType !== 'ask-a-question') return ref;
    const share = (who: VerifiedIdentity, id: string) =>
      ok(tickets.call(who, 'POST', `/tickets/${ref}/share`, { userIds: [id] }), `share ${id}`);
    await share(hugo(), 'user-lucas');
    await share(paul(), 'user-mila');
    await share(identityOf(EMAILS.admin), 'user-tom');
    const act = (who: VerifiedIdentity, action: string, payload: Record<string, unknown> = {}) =>
      ok(tickets.call(who, 'POST', `/tickets/${ref}/actions/${action}`, { payload }), action);
    await act(paul(), 'addInternalNote', { body: 'Note interne des pages' });
    const worked = ['assigned', 'in_progress', 'waiting_for_customer', 'resolved', 'done', 'rejected'];
    if (worked.includes(status)) {
      await act(paul(), 'qualify', { priority: 'medium', billable: false, assignment: { agentId: 'user-paul' } });
    }
    if (worked.slice(1).includes(status)) await act(paul(), 'start');
    if (status === 'waiting_for_customer') await act(paul(), 'requestInformation', { question: 'Laquelle ?' });
    if (status === 'resolved' || status === 'done') await act(paul(), 'resolve', { answer: 'Voilà.' });
    if (status === 'done') await act(hugo(), 'acceptResolution');
    if (status === 'rejected') await act(paul(), 'reject', { reason: 'Non.' });
    return ref;
  }

  const page = (seat: AccessSeat, path: string) =>
    fetch(`${gateway.origin}${path}`, { headers: { cookie: sessions[seat].cookieHeader() } });
  const post = (seat: AccessSeat, path: string, fields: Record<string, string>) =>
    fetch(`${gateway.origin}${path}`, {
      method: 'POST',
      headers: {
        cookie: sessions[seat].cookieHeader(),
        'content-type': 'application/x-www-form-urlencoded',
        origin: gateway.origin,
      },
      body: new URLSearchParams({ ...fields, _csrf: sessions[seat].csrfToken! }).toString(),
      redirect: 'manual',
    });

  /** The forms of a page, each as its HTML. */
  const formsOf = (html: string) => html.split('<form').slice(1);
  /** Where the row's form posts, and whether this page offers it. */
  function formOf(row: AccessRow, ref: string, seat: AccessSeat): { path: string; offered: (html: string) => boolean } {
    if (row.key === 'share') {
      const path = `/requests/${ref}/share`;
      return { path, offered: (html) => html.includes(`action="${path}"`) };
    }
    if (row.key === 'unshareOther' || row.key === 'unshareSelf') {
      const path = `/requests/${ref}/unshare`;
      const id = row.key === 'unshareOther' ? 'user-tom' : identityOf(EMAILS[seat]).userId;
      return {
        path,
        offered: (html) => formsOf(html).some((f) => f.includes(`action="${path}"`) && f.includes(`value="${id}"`)),
      };
    }
    // Satisfaction has a form of its own ("Êtes-vous satisfait de la réponse ?").
    const path = row.key === 'rate' ? `/requests/${ref}/csat` : `/requests/${ref}/actions/${row.key}`;
    return { path, offered: (html) => html.includes(`action="${path}"`) };
  }

  /** One cell: what the pages do, or what is wrong with it. */
  async function wrongCell(row: AccessRow, seat: AccessSeat): Promise<string | undefined> {
    const expected = row.cells[seat];
    const ref = row.key === 'seeConfidential' ? refs.confidential! : refs[row.status]!;
    const detail = await page(seat, `/requests/${ref}`);
    const html = await detail.text();
    if (expected === 'hidden' && detail.status !== 404) return `page ${detail.status}, expected 404`;
    if (expected !== 'hidden' && detail.status !== 200) return `page ${detail.status}, expected 200`;
    switch (row.key) {
      case 'see':
      case 'seeConfidential':
        return undefined;
      case 'list': {
        const listed = (await (await page(seat, '/requests?scope=all&status=all')).text()).includes(ref);
        return listed === (expected === 'yes') ? undefined : `listed: ${listed}`;
      }
      case 'internalNotes':
      case 'attachments': {
        if (expected === 'hidden') return undefined;
        const shown = html.includes(row.key === 'internalNotes' ? 'Note interne des pages' : 'piece.png');
        return shown === (expected === 'yes') ? undefined : `shown: ${shown}`;
      }
      case 'download': {
        const res = await page(seat, `/requests/${ref}/attachments/${files[ref]}`);
        return res.status === (expected === 'yes' ? 200 : 404) ? undefined : `download ${res.status}`;
      }
      case 'attach': {
        const offered = html.includes(`action="/requests/${ref}/attachments"`);
        return expected === 'hidden' || offered === (expected === 'yes') ? undefined : `attach offered: ${offered}`;
      }
    }
    const form = formOf(row, ref, seat);
    if (expected === 'hidden') {
      const res = await post(seat, form.path, FORM_FIELDS[row.key] ?? {});
      return res.status === 404 ? undefined : `form sent: ${res.status}, expected 404`;
    }
    const offered = form.offered(html);
    if (offered !== (expected === 'yes')) return `${offered ? 'offered' : 'not offered'}`;
    if (expected !== 'no') return undefined;
    const fields = row.key === 'unshareSelf' ? { userId: identityOf(EMAILS[seat]).userId } : FORM_FIELDS[row.key];
    const res = await post(seat, form.path, fields ?? {});
    const text = await res.text();
    if (res.status < 400) return `form sent: ${res.status}, not refused`;
    if (!REFUSALS.some((s) => text.includes(escapeHtml(s)))) return `form sent: ${res.status}, without a sentence`;
    return undefined;
  }

  const rows = ACCESS_TABLE.filter((r) => !NOT_ON_PAGES.has(r.key));
  it.each(rows.map((r) => [r.key, r] as const))(
    '%s',
    async (_key, row) => {
      const wrong: string[] = [];
      await Promise.all(
        ACCESS_SEATS.map(async (seat) => {
          const problem = await wrongCell(row, seat);
          if (problem) wrong.push(`${seat} (${row.cells[seat]}): ${problem}`);
        }),
      );
      expect(wrong.sort()).toEqual([]);
    },
    60_000,
  );
});

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
