import type { TicketListItem } from '@woop/contracts';
import { ageOf, queuePager, queueRow } from './console-pages';
import { createPageRenderer } from './render';
import type { RequestType } from './portal-pages';

const now = new Date('2026-05-04T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
const MIN = 60_000;

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

describe('queuePager', () => {
  it('links the next page with its cursor and the first page once past it', () => {
    expect(queuePager('mine', undefined, 'abc+/=')).toEqual({
      next: '/agent/queues/mine?cursor=abc%2B%2F%3D',
      first: null,
    });
    expect(queuePager('team', 'abc', null)).toEqual({ next: null, first: '/agent/queues/team' });
  });
});

const row: TicketListItem = {
  reference: 'SUPPORT-7',
  requestType: 'report-a-bug',
  summary: 'Le bouton Valider ne répond plus',
  status: 'assigned',
  statusLabel: { fr: 'Attribué', en: 'Assigned' },
  priority: 'high',
  project: 'Portail du support WOOP',
  requester: { id: 'user-claire', name: 'Claire Martin' },
  organizationId: 'org-1',
  assignment: { agentId: 'user-paul', team: 'support' },
  escalated: true,
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
  it('names the type, the organisation, the team and the agent, and tells the age', () => {
    expect(queueRow(row, lookups, 'fr', now)).toMatchObject({
      type,
      organization: 'Enseigne démo',
      team: 'support',
      assignee: 'Paul Agent',
      age: 'il y a 2 heures',
    });
  });

  it('shows an agent it does not know by id, and no assignee when there is none', () => {
    const unknown = { ...row, assignment: { agentId: 'user-x' } };
    expect(queueRow(unknown, lookups, 'en', now).assignee).toBe('user-x');
    expect(queueRow({ ...row, assignment: {} }, lookups, 'en', now).assignee).toBeUndefined();
  });
});

describe('the queue page', () => {
  const renderer = createPageRenderer();
  const model = (locale: 'fr' | 'en', rows: unknown[]) => ({
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
    next: '/agent/queues/unassigned?cursor=x',
    first: '/agent/queues/unassigned',
  });

  it.each(['fr', 'en'] as const)('renders every text in %s, with the queue marked as current', (locale) => {
    const html = renderer.render('console-queue', model(locale, [queueRow(row, lookups, locale, now)]));
    expect(html).not.toMatch(/console\.|priority\./);
    expect(html).toContain('href="/requests/SUPPORT-7"');
    expect(html).toContain('id="queue-link-unassigned" aria-current="page"');
    expect(html).toContain('<th scope="col">');
    expect(html).toContain('id="queue-next"');
  });

  it('says when a queue is empty', () => {
    expect(renderer.render('console-queue', model('fr', []))).toContain('Aucune demande dans cette file.');
  });
});
