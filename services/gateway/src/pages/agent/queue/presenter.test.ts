import type { TicketListItem } from '@woop/contracts';
import { translator } from '../../i18n';
import type { RequestType } from '../../lookups';
import { createPageRenderer } from '../../render';
import { csvOf, parseCsv } from '../../reports/csv';
import {
  ageOf,
  filterChoices,
  queuePager,
  queueRow,
  queueTable,
  slaCell,
  sortLinks,
  viewOf,
  viewQuery,
  type QueueView,
} from './presenter';

const now = new Date('2026-05-04T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
const MIN = 60_000;
const fr = translator('fr');
const en = translator('en');

describe('ageOf', () => {
  it('says how long ago a request was created, in the page language', () => {
    expect(ageOf(ago(10_000), now, 'fr')).toBe('maintenant');
    expect(ageOf(ago(10_000), now, 'en')).toBe('now');
    expect(ageOf(ago(5 * MIN), now, 'fr')).toBe('il y a 5 minutes');
    expect(ageOf(ago(3 * 60 * MIN), now, 'en')).toBe('3 hours ago');
    expect(ageOf(ago(26 * 60 * MIN), now, 'fr')).toBe('il y a 1 jour');
    expect(ageOf(ago(30 * 24 * 60 * MIN), now, 'en')).toBe('30 days ago');
  });

  it('never speaks of the future nor of an invalid date', () => {
    expect(ageOf(new Date(now.getTime() + 5 * MIN).toISOString(), now, 'en')).toBe('now');
    expect(ageOf('not a date', now, 'fr')).toBe('');
  });
});

describe('the view in the URL', () => {
  it('reads the order and filters, blanks as none, and refuses what is not one', () => {
    expect(viewOf({ sort: '-priority', priority: 'high', team: '', requestType: 'report-a-bug', x: 'y' })).toEqual({
      view: { sort: '-priority', priority: 'high', requestType: 'report-a-bug' },
      invalid: false,
    });
    expect(viewOf({})).toEqual({ view: { sort: 'createdAt' }, invalid: false });
    expect(viewOf({ sort: 'summary' })).toEqual({ view: { sort: 'createdAt' }, invalid: true });
    expect(viewOf({ priority: 'urgent' })).toEqual({ view: { sort: 'createdAt' }, invalid: true });
  });

  it('keeps the order and filters in every link: pager, CSV, the page itself', () => {
    const view: QueueView = { sort: 'slaDue', team: 'support', organizationId: 'org 1' };
    expect(viewQuery({ sort: 'createdAt' })).toBe('');
    expect(queuePager('mine', view, undefined, 'abc+/=')).toEqual({
      next: '/agent/queues/mine?sort=slaDue&team=support&organizationId=org+1&cursor=abc%2B%2F%3D',
      first: null,
      csv: '/agent/queues/mine/export.csv?sort=slaDue&team=support&organizationId=org+1',
    });
    expect(queuePager('team', { sort: 'createdAt' }, 'abc', null)).toMatchObject({
      next: null,
      first: '/agent/queues/team',
      csv: '/agent/queues/team/export.csv?cursor=abc',
    });
  });
});

describe('sortLinks', () => {
  it('links the sorted column to the other way and the others to their first way, filters kept', () => {
    const links = sortLinks('unassigned', { sort: '-priority', team: 'support' });
    expect(links.priority).toEqual({
      href: '/agent/queues/unassigned?sort=priority&team=support',
      ariaSort: 'descending',
      active: true,
    });
    expect(links.sla).toEqual({
      href: '/agent/queues/unassigned?sort=slaDue&team=support',
      ariaSort: 'none',
      active: false,
    });
    expect(links.updated!.href).toBe('/agent/queues/unassigned?sort=-updatedAt&team=support');
    // The default order (oldest first): its column links to newest first, and back to no `sort`.
    expect(sortLinks('mine', { sort: 'createdAt' }).created).toMatchObject({
      href: '/agent/queues/mine?sort=-createdAt',
      ariaSort: 'ascending',
    });
    expect(sortLinks('mine', { sort: '-createdAt' }).created!.href).toBe('/agent/queues/mine');
  });
});

describe('slaCell', () => {
  it('prints business time left in whole minutes: 59.6 minutes is "1 h 00", never "0 h 60"', () => {
    const running = { clock: 'firstResponse', state: 'running', leftMinutes: 59.6, dueAt: now.toISOString() } as const;
    expect(slaCell(running, fr, 'fr')).toMatchObject({ text: '1 h 00 ouvrées', state: 'running' });
    expect(slaCell({ ...running, leftMinutes: 239.6 }, en, 'en').text).toBe('4 h 00 business time');
    expect(slaCell({ ...running, leftMinutes: 61.2 }, fr, 'fr').text).toBe('1 h 01 ouvrées');
    expect(slaCell(running, fr, 'fr').clock).toBe('Première réponse');
    expect(slaCell(running, en, 'en').due).toBe('Due: 4 May 2026, 14:00');
  });

  it('says breached as such, paused and at risk in words, and nothing when no clock runs', () => {
    expect(slaCell({ clock: 'resolution', state: 'breached', leftMinutes: 0 }, fr, 'fr').text).toBe('Dépassé');
    expect(slaCell({ clock: 'resolution', state: 'breached', leftMinutes: 0 }, en, 'en').text).toBe('Breached');
    expect(slaCell({ clock: 'resolution', state: 'paused', leftMinutes: 125 }, fr, 'fr').text).toBe(
      'En pause, 2 h 05 ouvrées',
    );
    expect(slaCell({ clock: 'resolution', state: 'at_risk', leftMinutes: 10 }, en, 'en').text).toBe(
      '0 h 10 business time, at risk',
    );
    expect(slaCell(undefined, fr, 'fr')).toEqual({ text: '—', state: 'none' });
  });
});

const row: TicketListItem = {
  reference: 'SUPPORT-7',
  requestType: 'report-a-bug',
  summary: '=HYPERLINK("http://x") le bouton',
  status: 'assigned',
  statusLabel: { fr: 'Attribué', en: 'Assigned' },
  priority: 'high',
  project: 'Portail du support WOOP',
  requester: { id: 'user-claire', name: 'Claire Martin' },
  organizationId: 'org-1',
  assignment: { agentId: 'user-paul', team: 'support' },
  escalated: true,
  sla: { clock: 'firstResponse', state: 'running', leftMinutes: 59.6 },
  createdAt: ago(2 * 60 * MIN),
  updatedAt: ago(MIN),
};
const type = { key: 'report-a-bug', icon: 'bug', label: { fr: 'Déclarer un bug', en: 'Report a bug' } } as RequestType;
const lookups = {
  types: new Map([[type.key, type]]),
  people: new Map([['user-paul', { userId: 'user-paul', fullName: 'Paul Agent', email: 'paul@woop.example' }]]),
  organizations: new Map([['org-1', 'Enseigne démo']]),
};

describe('queueRow', () => {
  it('names the type, the organisation, the team and the agent, tells the age and the SLA left', () => {
    expect(queueRow(row, lookups, fr, 'fr', now)).toMatchObject({
      type,
      typeLabel: 'Déclarer un bug',
      organization: 'Enseigne démo',
      team: 'support',
      assignee: 'Paul Agent',
      age: 'il y a 2 heures',
      slaCell: { text: '1 h 00 ouvrées' },
    });
  });

  it('shows an agent it does not know by id, and no assignee when there is none', () => {
    const unknown = { ...row, assignment: { agentId: 'user-x' } };
    expect(queueRow(unknown, lookups, en, 'en', now).assignee).toBe('user-x');
    expect(queueRow({ ...row, assignment: {} }, lookups, en, 'en', now).assignee).toBeUndefined();
  });
});

describe('the CSV of a queue page', () => {
  it('holds the rows shown, in the page language, a formula-like summary defused', () => {
    const rows = [queueRow(row, lookups, fr, 'fr', now), queueRow({ ...row, sla: undefined }, lookups, fr, 'fr', now)];
    const cells = parseCsv(csvOf(queueTable(rows, fr)));
    expect(cells[0]).toEqual([
      'Référence',
      'Type',
      'Résumé',
      'État',
      'Priorité',
      'Demandeur',
      'Organisation',
      'Équipe',
      'Agent',
      'SLA, temps restant',
      'Créée le',
      'Mise à jour le',
    ]);
    expect(cells[1]!.slice(0, 10)).toEqual([
      'SUPPORT-7',
      'Déclarer un bug',
      `'=HYPERLINK("http://x") le bouton`,
      'Attribué',
      'Haute',
      'Claire Martin',
      'Enseigne démo',
      'support',
      'Paul Agent',
      '1 h 00 ouvrées',
    ]);
    expect(cells[2]![9]).toBe('—');
    expect(cells).toHaveLength(3);
    expect(parseCsv(csvOf(queueTable(rows, en)))[0]![9]).toBe('SLA, time left');
  });
});

describe('the queue page', () => {
  const renderer = createPageRenderer();
  const model = (locale: 'fr' | 'en', rows: unknown[], view: QueueView = { sort: '-priority', team: 'support' }) => {
    const t = translator(locale);
    return {
      locale,
      section: 'agent',
      queue: 'unassigned',
      queues: ['unassigned', 'mine', 'team', 'sla_at_risk', 'sla_breached'].map((name, i) => ({
        name,
        count: i,
        current: name === 'unassigned',
      })),
      rows,
      restarted: true,
      view,
      viewQuery: viewQuery(view),
      sorts: sortLinks('unassigned', view),
      filters: filterChoices(view, t, locale, {
        types: [type],
        teams: ['support', 'billing'],
        organizations: [{ organizationId: 'org-1', name: 'Enseigne démo' }],
      }),
      filtered: true,
      agents: [{ value: 'user-paul', label: 'Paul Agent (support)' }],
      teams: [{ value: 'support', label: 'support' }],
      bulkMax: 100,
      csrfToken: 'tok',
      ...queuePager('unassigned', view, 'c1', 'c2'),
    };
  };

  it.each(['fr', 'en'] as const)('renders every text in %s, sorted column marked, filters kept', (locale) => {
    const t = translator(locale);
    const html = renderer.render('console-queue', model(locale, [queueRow(row, lookups, t, locale, now)]));
    expect(html).not.toMatch(/(console|priority|queue|status)\.(?!js")[a-z]/);
    expect(html).toContain('href="/requests/SUPPORT-7"');
    expect(html).toContain('id="queue-link-unassigned" aria-current="page"');
    // (handlebars writes `=` as `&#x3D;` in attributes: the same URL for a browser)
    const unescaped = html.replace(/&#x3D;/g, '=');
    expect(unescaped).toContain(
      '<th scope="col" aria-sort="descending"><a href="/agent/queues/unassigned?sort=priority&amp;team=support"',
    );
    expect(html).toContain('<option value="support" selected>support</option>');
    expect(html).toContain('name="ref" value="SUPPORT-7" form="bulk-form"');
    expect(unescaped).toContain('<input type="hidden" name="view" value="sort=-priority&amp;team=support">');
    expect(html).toContain('id="queue-csv" download');
    expect(unescaped).toContain(
      'href="/agent/queues/unassigned?sort=-priority&amp;team=support&amp;cursor=c2" id="queue-next"',
    );
    expect(html).toContain('<script src="/assets/queue.js" defer></script>');
    expect(html).not.toMatch(/<script>/);
  });

  it('says when a queue is empty', () => {
    expect(renderer.render('console-queue', model('fr', []))).toContain('Aucune demande dans cette file.');
  });
});
