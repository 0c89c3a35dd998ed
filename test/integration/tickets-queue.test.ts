import { REQUEST_TYPES, type TicketListItem } from '@woop/contracts';
import type { VerifiedIdentity } from '@woop/service-kit';
import { ROWS_COLLECTION } from '../../services/tickets/src/model/read-model';
import { validFields } from '../support/forms';
import { claire, ines, paul } from '../support/people';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';

/**
 * An agent's queue on the real servers (tickets service, Temporal, FerretDB): sorted by
 * priority, SLA due date, creation or update, with a cursor that stays in its order and filters
 * and is refused in another; filtered by request type, priority, team and organisation; each
 * row with its SLA time left on the business calendar.
 */

interface Page {
  items: TicketListItem[];
  nextCursor: string | null;
}

describe("an agent's queue: sort, filters and cursor on the real servers", () => {
  let api: TicketsApi;
  const refs = {} as Record<'low' | 'critical' | 'high' | 'medium' | 'high2', string>;

  const create = async (who: VerifiedIdentity, requestType: string, summary: string) => {
    const type = REQUEST_TYPES.find((t) => t.key === requestType)!;
    const res = await api.call(who, 'POST', '/tickets', {
      requestType,
      portal: 'retailer',
      summary,
      fields: validFields(type),
    });
    expect(res.status).toBe(201);
    return (res.body.ticket as { reference: string }).reference;
  };
  const act = async (reference: string, action: string, payload: Record<string, unknown>) =>
    expect((await api.call(paul, 'POST', `/tickets/${reference}/actions/${action}`, { payload })).status).toBe(200);
  const queue = async (query: string, status = 200) => {
    const res = await api.call(paul, 'GET', `/queues/unassigned${query}`);
    expect([query, res.status]).toEqual([query, status]);
    return res.body as unknown as Page & { code?: string };
  };
  /** Every page of a queue's order, `limit` at a time, following the cursors. */
  const all = async (query: string, limit = 2) => {
    const seen: TicketListItem[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await queue(`?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(limit);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return seen;
  };

  beforeAll(async () => {
    api = await startTicketsApi();
    await api.registerPeople([claire, ines, paul]);
    // Five unassigned requests (no agent): four priorities, two organisations, one for a team.
    refs.low = await create(claire, 'ask-a-question', 'Basse');
    refs.critical = await create(claire, 'report-a-bug', 'Critique');
    refs.high = await create(ines, 'ask-a-question', 'Haute');
    refs.medium = await create(claire, 'ask-a-question', 'Moyenne');
    refs.high2 = await create(claire, 'report-a-bug', 'Haute aussi');
    await act(refs.low, 'qualify', { priority: 'low', billable: false });
    await act(refs.critical, 'qualify', { priority: 'critical', billable: false });
    await act(refs.high, 'qualify', { priority: 'high', billable: false });
    await act(refs.medium, 'qualify', { priority: 'medium', billable: false });
    // A team, no agent: still in "unassigned".
    await act(refs.high2, 'qualify', { priority: 'high', billable: false, assignment: { team: 'billing' } });
  }, 120_000);
  afterAll(() => api.stop());

  it('sorts by priority, highest first (then by reference), across pages without gaps or repeats', async () => {
    const rows = await all('sort=-priority');
    const highs = [refs.high, refs.high2].sort().reverse();
    expect(rows.map((r) => r.reference)).toEqual([refs.critical, ...highs, refs.medium, refs.low]);
    expect((await all('sort=priority', 3)).map((r) => r.reference)).toEqual(
      [refs.critical, ...highs, refs.medium, refs.low].reverse(),
    );
  });

  it('sorts by the SLA due date, nearest first, each row with its business time left', async () => {
    const rows = await all('sort=slaDue');
    expect(rows).toHaveLength(5);
    const due = rows.map((r) => r.sla!.dueAt!);
    expect(due).toEqual([...due].sort());
    // The first answer is due first where the target is shortest: critical, then high, …
    expect(rows[0]!.reference).toBe(refs.critical);
    expect(rows.at(-1)!.reference).toBe(refs.low);
    for (const row of rows) {
      expect(row.sla).toMatchObject({ clock: 'firstResponse', state: 'running' });
      expect(row.sla!.leftMinutes).toBeGreaterThan(0);
    }
    expect((await all('sort=-slaDue')).map((r) => r.reference)).toEqual(rows.map((r) => r.reference).reverse());
  });

  it('sorts by creation (oldest first by default) and by last update', async () => {
    const created = [refs.low, refs.critical, refs.high, refs.medium, refs.high2];
    expect((await all('')).map((r) => r.reference)).toEqual(created);
    expect((await all('sort=-createdAt')).map((r) => r.reference)).toEqual([...created].reverse());
    await act(refs.low, 'changePriority', { priority: 'medium' });
    expect((await all('sort=-updatedAt'))[0]!.reference).toBe(refs.low);
    await act(refs.low, 'changePriority', { priority: 'low' });
  });

  it('filters by request type, priority, team and organisation, the cursor keeping them', async () => {
    const only = async (query: string) => (await all(query, 1)).map((r) => r.reference).sort();
    expect(await only('priority=high')).toEqual([refs.high, refs.high2].sort());
    expect(await only('requestType=report-a-bug')).toEqual([refs.critical, refs.high2].sort());
    expect(await only('team=billing')).toEqual([refs.high2]);
    expect(await only('organizationId=org-transports')).toEqual([refs.high]);
    expect(await only('organizationId=org-enseigne&priority=high&sort=-priority')).toEqual([refs.high2]);
    expect(await only('team=nobody')).toEqual([]);
  });

  it('refuses a cursor of another order or other filters, and a sort or filter that is not one', async () => {
    const byPriority = await queue('?sort=-priority&limit=1');
    expect(byPriority.nextCursor).toBeTruthy();
    const cursor = byPriority.nextCursor!;
    expect((await queue(`?sort=-priority&limit=1&cursor=${cursor}`)).items).toHaveLength(1);
    expect((await queue(`?sort=slaDue&limit=1&cursor=${cursor}`, 400)).code).toBe('invalid_cursor');
    expect((await queue(`?limit=1&cursor=${cursor}`, 400)).code).toBe('invalid_cursor');
    expect((await queue(`?sort=-priority&priority=high&limit=1&cursor=${cursor}`, 400)).code).toBe('invalid_cursor');
    expect((await queue('?sort=summary', 400)).code).toBe('validation_failed');
    expect((await queue('?priority=urgent', 400)).code).toBe('validation_failed');
  });

  it('keeps on each row, as top-level fields, what the queue filters and sorts', async () => {
    const row = await api.svc.models
      .native()
      .collection(ROWS_COLLECTION)
      .findOne({ _id: refs.high2 as never });
    expect(row).toMatchObject({ priorityRank: 2, team: 'billing', slaClock: { name: 'firstResponse' } });
    expect(row!.slaDueAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(row!.slaCalendar).toMatchObject({ timeZone: 'Europe/Paris' });
  });
});
