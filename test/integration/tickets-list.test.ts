import { REQUEST_TYPES, TOPICS, type EventEnvelope, type TicketListItem, type TicketState } from '@woop/contracts';
import { createKafka, createLogger, type VerifiedIdentity } from '@woop/service-kit';
import { createTicketActivities } from '../../services/tickets/src/worker/activities';
import { ERASED_NAME } from '../../services/tickets/src/model/people';
import { ROW_LAYOUT, ROWS_COLLECTION } from '../../services/tickets/src/model/read-model';
import { backfillRows } from '../../services/tickets/src/worker/projection';
import { eventually } from '../support/eventually';
import { validFields } from '../support/forms';
import { readEvents } from '../support/kafka-events';
import {
  admin,
  claire,
  eli,
  erasedEvent,
  hugo,
  ines,
  lucas,
  noa,
  paul,
  person,
  sarah,
  userEvent,
} from '../support/people';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';

// The cast of test/support/people.ts; zoe joins for the erasure.

interface Page {
  items: TicketListItem[];
  nextCursor: string | null;
}

describe('the "Demandes" list, sharing, queues and erasure on the real servers', () => {
  let api: TicketsApi;
  beforeAll(async () => {
    api = await startTicketsApi();
    await api.registerPeople([claire, hugo, lucas, ines, paul]);
  });
  afterAll(() => api.stop());

  const create = async (who: VerifiedIdentity, requestType: string, summary: string, description = '') => {
    const type = REQUEST_TYPES.find((t) => t.key === requestType)!;
    const res = await api.call(who, 'POST', '/tickets', {
      requestType,
      portal: 'retailer',
      summary,
      description,
      fields: validFields(type),
    });
    expect(res.status).toBe(201);
    return (res.body.ticket as { reference: string }).reference;
  };
  const list = async (who: VerifiedIdentity, query = '') => {
    const res = await api.call(who, 'GET', `/tickets${query}`);
    expect(res.status).toBe(200);
    return res.body as unknown as Page;
  };
  const refs = (page: Page) => page.items.map((i) => i.reference).sort();
  const act = (who: VerifiedIdentity, reference: string, action: string, payload: Record<string, unknown> = {}) =>
    api.call(who, 'POST', `/tickets/${reference}/actions/${action}`, { payload });

  describe('list, filters, search and cursor', () => {
    let livraison: string, ete: string, bug: string, secret: string, hugos: string, theirs: string;
    beforeAll(async () => {
      livraison = await create(claire, 'delivery-request', 'Livraison en retard à Lyon', 'Commande 4521');
      ete = await create(claire, 'configuration-request', "Horaires d'été", 'Ouverture le dimanche');
      bug = await create(claire, 'report-a-bug', 'Écran blanc', 'Le bouton Valider ne répond plus');
      secret = await create(claire, 'report-a-vulnerability', 'Faille XSS', 'Dans la recherche');
      hugos = await create(hugo, 'ask-a-question', 'Question sur la facture', '');
      theirs = await create(ines, 'ask-a-question', 'Livraison Marseille', '');
      // Everything projected (the API waits for it after each create; this is belt and braces).
      await eventually(
        () => list(admin, '?status=all&limit=100'),
        (p) => p.items.length === 6,
      );
    });

    it('shows each person what they may see: own, organisation, never confidential or others', async () => {
      expect(refs(await list(claire))).toEqual([livraison, ete, bug, secret, hugos].sort());
      expect(refs(await list(hugo))).toEqual([livraison, ete, bug, hugos].sort());
      expect(refs(await list(ines))).toEqual([theirs]);
      expect(refs(await list(paul))).toEqual([livraison, ete, bug, hugos, theirs].sort());
      expect(refs(await list(sarah))).toEqual([livraison, ete, bug, secret, hugos, theirs].sort());
    });

    it('filters "Créées par moi", organisation, request type, and open / all', async () => {
      expect(refs(await list(hugo, '?scope=created'))).toEqual([hugos]);
      expect(refs(await list(hugo, '?scope=organization'))).toEqual([livraison, ete, bug, hugos].sort());
      expect(refs(await list(claire, '?requestType=report-a-bug'))).toEqual([bug]);
      // A request the customer closes leaves "Demandes ouvertes" but stays in "all".
      expect((await act(paul, hugos, 'reject', { reason: 'Doublon' })).status).toBe(200);
      expect((await act(hugo, hugos, 'acceptRejection')).status).toBe(200);
      expect(refs(await list(hugo, '?scope=created'))).toEqual([]);
      expect(refs(await list(hugo, '?scope=created&status=all'))).toEqual([hugos]);
      expect(refs(await list(hugo, '?scope=created&status=closed'))).toEqual([hugos]);
    });

    it('finds words of the reference, summary or description, ignoring case and accents', async () => {
      expect(refs(await list(claire, '?q=ETE'))).toEqual([ete]);
      expect(refs(await list(claire, '?q=livraison%20lyon'))).toEqual([livraison]);
      expect(refs(await list(claire, '?q=valider'))).toEqual([bug]);
      expect(refs(await list(claire, `?q=${bug}`))).toEqual([bug]);
      expect(refs(await list(hugo, '?q=xss'))).toEqual([]); // confidential: not even by search
      expect(refs(await list(claire, '?q=marseille'))).toEqual([]); // another organisation's
      expect(refs(await list(claire, '?q=.*'))).toEqual([]); // a literal, not a pattern
    });

    it('pages with a cursor, in the order asked, without gaps or repeats', async () => {
      const seen: TicketListItem[] = [];
      let cursor: string | null = null;
      do {
        const page: Page = await list(paul, `?status=all&sort=createdAt&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen.map((i) => i.reference)).toEqual([livraison, ete, bug, hugos, theirs]);
      expect(seen[0]).toMatchObject({
        summary: 'Livraison en retard à Lyon',
        status: 'open',
        statusLabel: { fr: 'Ouvert', en: 'Open' },
        project: 'Portail du support WOOP',
        requester: { id: 'claire', name: 'Claire Durand' },
      });
      const first = await list(paul, '?status=all&limit=2');
      expect(first.items.map((i) => i.reference)).toEqual([theirs, hugos]); // newest first by default
      const reused = await api.call(paul, 'GET', `/tickets?status=open&limit=2&cursor=${first.nextCursor}`);
      expect(reused).toMatchObject({ status: 400, body: { code: 'invalid_cursor' } });
      const stolen = await api.call(claire, 'GET', `/tickets?status=all&limit=2&cursor=${first.nextCursor}`);
      expect(stolen).toMatchObject({ status: 400, body: { code: 'invalid_cursor' } });
      const bad = await api.call(paul, 'GET', '/tickets?limit=500&sort=summary');
      expect(bad).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
      expect((bad.body.errors as Array<{ path: string }>).map((e) => e.path).sort()).toEqual(['limit', 'sort']);
    });
  });

  describe('sharing ("Partagé avec" / "Partager")', () => {
    it('adds members of the organisation, not others; shows them; emits the event', async () => {
      const reference = await create(claire, 'ask-a-question', 'À partager');
      const other = await api.call(claire, 'POST', `/tickets/${reference}/share`, { userIds: ['ines', 'ghost'] });
      expect(other).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
      expect((other.body.errors as Array<{ path: string }>).map((e) => e.path)).toEqual(['userIds.0', 'userIds.1']);

      const shared = await api.call(claire, 'POST', `/tickets/${reference}/share`, { userIds: ['hugo'] });
      expect(shared.status).toBe(200);
      expect(shared.body).toMatchObject({ ticket: { sharedWith: [{ id: 'hugo', name: 'Hugo Martin' }] } });
      expect(shared.body.allowed).toContain('unshare');
      expect(refs(await list(hugo, '?scope=shared'))).toEqual([reference]);
      const detail = await api.call(hugo, 'GET', `/tickets/${reference}`);
      expect(detail.body.ticket).toMatchObject({ sharedWith: [{ id: 'hugo' }] });
      const kinds = (detail.body.ticket as TicketState).activity.map((e) => e.kind);
      expect(kinds).toEqual(['created', 'shared']);

      const kafka = createKafka('tickets-list-test', ['127.0.0.1:9092'], createLogger('test', 'silent'));
      const [event] = await readEvents(
        kafka,
        TOPICS.tickets.name,
        (e: EventEnvelope) => e.subject === reference && e.type === 'ticket.shared',
        (events) => events.length === 1,
      );
      expect(event?.data).toMatchObject({ people: [{ id: 'hugo' }], ticket: { sharedWith: ['hugo'] } });

      // A colleague may not share it (not even with himself: issue #23), nor remove someone else;
      // the person may leave; so may an agent remove anyone.
      expect((await api.call(lucas, 'POST', `/tickets/${reference}/share`, { userIds: ['lucas'] })).status).toBe(403);
      expect((await api.call(claire, 'POST', `/tickets/${reference}/share`, { userIds: ['lucas'] })).status).toBe(200);
      expect((await api.call(lucas, 'DELETE', `/tickets/${reference}/share/hugo`)).status).toBe(403);
      expect((await api.call(hugo, 'DELETE', `/tickets/${reference}/share/hugo`)).status).toBe(200);
      expect((await api.call(paul, 'DELETE', `/tickets/${reference}/share/lucas`)).status).toBe(200);
      expect((await api.call(paul, 'DELETE', `/tickets/${reference}/share/lucas`)).status).toBe(404);
      expect((await api.call(ines, 'POST', `/tickets/${reference}/share`, { userIds: ['ines'] })).status).toBe(404);
    });

    it('never shares a confidential request, and not through the generic action route', async () => {
      const secret = await create(claire, 'report-a-vulnerability', 'Jeton exposé');
      const res = await api.call(claire, 'POST', `/tickets/${secret}/share`, { userIds: ['hugo'] });
      expect(res).toMatchObject({ status: 409, body: { code: 'action_not_allowed_in_status' } });
      const sneaky = await act(claire, secret, 'share', { people: [{ id: 'ines', name: 'Inès' }] });
      expect(sneaky).toMatchObject({ status: 404, body: { code: 'unknown_action' } });
    });
  });

  describe('customers without organisation (open sign-up)', () => {
    const organizationOf = async (reference: string) =>
      ((await api.call(admin, 'GET', `/tickets/${reference}`)).body.ticket as TicketState).organizationId;

    it('file and follow their own requests: no other customer sees them, nobody can be added to them', async () => {
      await api.registerPeople([noa, eli]);
      const mine = await create(noa, 'ask-a-question', 'Sans enseigne', 'Première demande');
      // An organisation of their own that no organisation id can be: it matches nobody else's.
      expect(await organizationOf(mine)).toBe('user:noa');
      const detail = await api.call(noa, 'GET', `/tickets/${mine}`);
      expect(detail.status).toBe(200);
      expect(detail.body.allowed).toEqual(expect.arrayContaining(['comment']));
      expect(detail.body.allowed).not.toContain('share');

      expect(refs(await list(noa, '?status=all'))).toEqual([mine]);
      expect(refs(await list(noa, '?scope=created'))).toEqual([mine]);
      expect(refs(await list(noa, '?scope=organization&status=all'))).toEqual([]);
      expect(refs(await list(eli, '?status=all'))).toEqual([]);
      expect((await api.call(eli, 'GET', `/tickets/${mine}`)).status).toBe(404);
      expect(refs(await list(claire, `?q=${mine}&status=all`))).toEqual([]);
      expect(refs(await list(paul, `?q=${mine}`))).toEqual([mine]);
      expect((await api.call(paul, 'GET', `/tickets/${mine}`)).status).toBe(200);

      // "Partager": there is nobody of the same organisation, whoever asks.
      for (const who of [noa, paul]) {
        const res = await api.call(who, 'POST', `/tickets/${mine}/share`, { userIds: ['eli'] });
        expect(res).toMatchObject({ status: 409, body: { code: 'ticket_without_organization' } });
      }
      expect((await act(noa, mine, 'comment', { body: 'Une précision' })).status).toBe(200);
    });

    it('once attached to an organisation, file the next requests there; the older ones stay theirs', async () => {
      await api.registerPeople([eli]);
      const older = await create(eli, 'ask-a-question', 'Avant le rattachement');
      // Identity's user.updated once an agent attached eli to "enseigne"; sessions then carry it.
      const attached = { ...eli, organizationId: 'org-enseigne' };
      await api.publishUserEvents([userEvent('user.updated', attached)]);
      const newer = await create(attached, 'ask-a-question', 'Après le rattachement');
      expect(await organizationOf(older)).toBe('user:eli');
      expect(await organizationOf(newer)).toBe('org-enseigne');

      expect(refs(await list(attached, '?scope=created&status=all'))).toEqual([older, newer].sort());
      const colleagues = refs(await list(hugo, '?scope=organization&status=all'));
      expect(colleagues).toContain(newer);
      expect(colleagues).not.toContain(older);
      const res = await api.call(attached, 'POST', `/tickets/${older}/share`, { userIds: ['hugo'] });
      expect(res).toMatchObject({ status: 409, body: { code: 'ticket_without_organization' } });

      // The tickets service's directory took the organisation from the event: colleagues may
      // now share their requests with eli.
      const claires = await create(claire, 'ask-a-question', 'Pour Éli');
      const shared = await eventually(
        () => api.call(claire, 'POST', `/tickets/${claires}/share`, { userIds: ['eli'] }),
        (r) => r.status !== 400,
      );
      expect(shared.status).toBe(200);
      expect(refs(await list(attached, '?scope=shared'))).toEqual([claires]);
    });
  });

  describe("agents' queues", () => {
    it('counts and lists unassigned, mine, team; customers may not see queues', async () => {
      const before = (await api.call(paul, 'GET', '/queues')).body.counts as Record<string, number>;
      const reference = await create(lucas, 'technical-assistance', 'Imprimante des étiquettes');
      const after = (await api.call(paul, 'GET', '/queues')).body.counts as Record<string, number>;
      expect(after.unassigned).toBe(before.unassigned! + 1);
      expect(after.team).toBe(before.team! + 1);
      const qualified = await act(paul, reference, 'qualify', {
        priority: 'high',
        billable: false,
        assignment: { agentId: 'paul' },
      });
      expect(qualified.status).toBe(200);
      const counts = (await api.call(paul, 'GET', '/queues')).body.counts as Record<string, number>;
      expect(counts).toMatchObject({ unassigned: before.unassigned, mine: before.mine! + 1 });
      const mine = (await api.call(paul, 'GET', '/queues/mine')).body as unknown as Page;
      expect(mine.items.map((i) => i.reference)).toContain(reference);
      expect((await api.call(sarah, 'GET', '/queues/mine')).body).toMatchObject({ items: [] });
      expect((await api.call(claire, 'GET', '/queues')).status).toBe(403);
      expect((await api.call(paul, 'GET', '/queues/everything')).status).toBe(400);
    });

    it('puts a warned ticket in "SLA at risk" and a breached one in "SLA breached"', async () => {
      // Real projections of crafted states (SLA timers themselves are tested in the workflow suites).
      const activities = createTicketActivities({
        db: api.svc.mongo.connection,
        publisher: { publish: async () => {}, publishTombstones: async () => {}, close: async () => {} },
      });
      const base = (await api.svc.workflows.view(await create(claire, 'ask-a-question', 'SLA'))).ticket;
      const at = new Date().toISOString();
      const warned: TicketState = {
        ...base,
        reference: base.reference,
        version: base.version + 1,
        sla: { ...base.sla, firstResponse: { ...base.sla.firstResponse, warnedAt: at } },
      };
      await activities.projectTicket(warned);
      const risk = (await api.call(paul, 'GET', '/queues/sla_at_risk')).body as unknown as Page;
      expect(risk.items.map((i) => i.reference)).toEqual([base.reference]);
      await activities.projectTicket({
        ...warned,
        version: warned.version + 1,
        escalated: true,
        sla: { ...warned.sla, firstResponse: { ...warned.sla.firstResponse, breachedAt: at } },
      });
      const breached = (await api.call(paul, 'GET', '/queues/sla_breached')).body as unknown as Page;
      expect(breached.items.map((i) => i.reference)).toEqual([base.reference]);
      expect((await api.call(paul, 'GET', '/queues')).body).toMatchObject({
        counts: { sla_at_risk: 0, sla_breached: 1 },
      });
    });
  });

  describe('rows', () => {
    it('catches up list rows for tickets projected before rows existed', async () => {
      const db = api.svc.models.native();
      const reference = await create(claire, 'ask-a-question', 'Avant les lignes');
      await db.collection(ROWS_COLLECTION).deleteOne({ _id: reference as never });
      expect(refs(await list(claire, `?q=${reference}`))).toEqual([]);
      expect(await backfillRows(db)).toBe(1);
      expect(refs(await list(claire, `?q=${reference}`))).toEqual([reference]);
      expect(await backfillRows(db)).toBe(0);
    });

    it('rewrites a row of an older layout, so "Créées par moi" and the queues find it', async () => {
      const db = api.svc.models.native();
      const reference = await create(claire, 'ask-a-question', 'Ligne ancienne');
      const rows = db.collection(ROWS_COLLECTION);
      // A row as layout 1 wrote it: no top-level requester, agent or layout.
      await rows.updateOne(
        { _id: reference as never },
        { $unset: { requesterId: '', agentId: '', assigned: '', layout: '' } },
      );
      expect(refs(await list(claire, '?scope=created&status=all&limit=100'))).not.toContain(reference);
      expect(await backfillRows(db)).toBe(1);
      expect(await rows.findOne({ _id: reference as never })).toMatchObject({
        requesterId: expect.any(String),
        agentId: null,
        assigned: false,
        layout: ROW_LAYOUT,
      });
      expect(refs(await list(claire, '?scope=created&status=all&limit=100'))).toContain(reference);
      expect(await backfillRows(db)).toBe(0);
    });
  });

  describe('user.* events', () => {
    it('keeps the requester name current, and anonymises an erased requester everywhere', async () => {
      const zoe = person('zoe', 'customer', { organizationId: 'org-enseigne', name: 'Zoé Lefèvre' });
      await api.registerPeople([zoe]);
      const reference = await create(zoe, 'ask-a-question', 'Mon accès', 'Écrivez-moi à zoe@example.test');
      expect((await act(zoe, reference, 'comment', { body: 'Ou au zoe@EXAMPLE.test, merci' })).status).toBe(200);
      expect((await act(paul, reference, 'reply', { body: 'Bien reçu Zoé' })).status).toBe(200);

      await api.publishUserEvents([userEvent('user.updated', { ...zoe, name: 'Zoé Martin' })]);
      await eventually(
        () => list(admin, `?q=${reference}&status=all`),
        (p) => p.items[0]?.requester.name === 'Zoé Martin',
      );

      await api.publishUserEvents([erasedEvent('zoe')]);
      const erased = await eventually(
        () => api.call(admin, 'GET', `/tickets/${reference}`),
        (r) => (r.body.ticket as TicketState).requester.name === ERASED_NAME,
      );
      const check = (ticket: TicketState) => {
        const text = JSON.stringify(ticket);
        expect(text).not.toMatch(/zoe@example\.test/i);
        expect(text).not.toContain('Zoé Lefèvre');
        expect(text).not.toContain('Zoé Martin');
        expect(ticket.activity.filter((e) => e.actor.id === 'zoe').map((e) => e.actor.name)).toEqual([
          ERASED_NAME,
          ERASED_NAME,
        ]);
      };
      check(erased.body.ticket as TicketState);
      // A later change projects the workflow's state again: the erasure holds.
      const replied = await act(paul, reference, 'reply', { body: 'Suite' });
      const version = (replied.body.ticket as TicketState).version;
      const again = await eventually(
        () => api.call(admin, 'GET', `/tickets/${reference}`),
        (r) => (r.body.ticket as TicketState).version === version,
      );
      check(again.body.ticket as TicketState);
      expect(refs(await list(admin, '?q=zoe&status=all'))).toEqual([]);
    });
  });
});
