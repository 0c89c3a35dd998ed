import { randomBytes } from 'node:crypto';
import { makeTicketEvent, parseTicketEvent, type TicketChange, type TicketFacts } from '@woop/contracts';
import { csatLinkToken, openCsatLinkToken, sealingKey } from '@woop/service-kit';
import { planEmails, type PlanContext, type Recipient } from './plan';
import { createRenderer } from '../mail/templates';

const replyKey = sealingKey(randomBytes(32));
const person = (userId: string, locale: 'fr' | 'en'): Recipient => ({
  userId,
  email: `${userId}@enseigne.example`,
  fullName: userId,
  locale,
  active: true,
  role: 'customer',
  teams: [],
  status: 'active',
});
const people: Record<string, Recipient> = { claire: person('claire', 'en'), hugo: person('hugo', 'fr') };
const ctx: PlanContext = {
  portalUrl: 'http://portal.example',
  recipient: async (id) => people[id],
  wantsEmails: async () => true,
  teamAgents: async () => [],
  wantsAgentEmails: async () => true,
  teamAddress: () => undefined,
  linkTtl: { signupMinutes: 30, inviteDays: 3 },
  openLink: () => {
    throw new Error('no link here');
  },
  csatToken: (claims) => csatLinkToken(replyKey, claims),
};
const FACTS: TicketFacts = {
  reference: 'SUPPORT-7',
  version: 9,
  status: 'done',
  priority: 'medium',
  requestType: 'ask-a-question',
  organizationId: 'org-retailer',
  requester: { id: 'claire', name: 'Claire' },
  sharedWith: ['hugo'],
  summary: 'Colis perdu',
  confidential: false,
  assignment: { team: 'support' },
  escalated: false,
};
const AT = new Date('2026-12-07T10:00:00Z');
const event = (change: TicketChange, facts: Partial<TicketFacts> = {}) =>
  parseTicketEvent(makeTicketEvent(change, { ...FACTS, ...facts }, 0, AT));
const accepted = event({
  type: 'ticket.resolution_accepted',
  data: { statusChange: { from: 'resolved', to: 'done' }, actor: { id: 'claire', name: 'Claire', role: 'customer' } },
});

describe('the satisfaction email (CSAT)', () => {
  it('asks the requester, once the request is TERMINÉ, with a sealed link per score in their language', async () => {
    const plan = await planEmails(accepted, ctx);
    expect(plan.map((p) => [p.address, p.template])).toEqual([
      ['claire@enseigne.example', 'ticket-csat'],
      // The people it is shared with hear of the status only: the rating is the requester's.
      ['hugo@enseigne.example', 'ticket-status-changed'],
    ]);
    const links = plan[0]!.data.csatLinks as Array<{ score: number; href: string }>;
    expect(links.map((l) => l.score)).toEqual([1, 2, 3, 4, 5]);
    const url = new URL(links[3]!.href);
    expect([url.origin, url.pathname, url.searchParams.get('score'), url.searchParams.get('lang')]).toEqual([
      'http://portal.example',
      '/csat',
      '4',
      'en',
    ]);
    expect(openCsatLinkToken([replyKey], url.searchParams.get('token')!)).toEqual({
      reference: 'SUPPORT-7',
      userId: 'claire',
      issuedAt: AT.toISOString(),
    });

    const email = createRenderer().render('ticket-csat', 'en', plan[0]!.data);
    expect(email.subject).toBe('[SUPPORT-7] Are you satisfied with the answer?');
    expect(email.text).toContain('Are you satisfied with the answer?');
    // Every score's link, in both parts (the HTML escapes `&` and `=` of the query, not the token).
    const token = url.searchParams.get('token')!;
    expect(email.html.split(token).length - 1).toBe(5);
    expect(email.text).toContain(links[0]!.href);
    const fr = createRenderer().render('ticket-csat', 'fr', plan[0]!.data);
    expect(fr.subject).toBe('[SUPPORT-7] Êtes-vous satisfait de la réponse ?');
  });

  it('asks too when the validation window elapsed, and never for another move', async () => {
    const elapsed = event({
      type: 'ticket.validation_window_elapsed',
      data: {
        reason: 'validation window elapsed',
        statusChange: { from: 'resolved', to: 'done' },
        actor: { id: 'system', name: 'Woop support', role: 'system' },
      },
    });
    expect((await planEmails(elapsed, ctx)).find((p) => p.key === 'claire')?.template).toBe('ticket-csat');
    const closed = event(
      {
        type: 'ticket.reopen_window_elapsed',
        data: {
          reason: 'reopen window elapsed',
          statusChange: { from: 'done', to: 'closed' },
          actor: { id: 'system', name: 'Woop support', role: 'system' },
        },
      },
      { status: 'closed' },
    );
    expect((await planEmails(closed, ctx)).map((p) => p.template)).not.toContain('ticket-csat');
  });
});
