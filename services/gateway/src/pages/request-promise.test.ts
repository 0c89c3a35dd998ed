import type { Actor, TicketState } from '@woop/contracts';
import { advanceTime, applyAction, createTicket, DEFAULT_SLA_POLICIES } from '@woop/ticket-domain';
import { translator, type Locale } from './i18n';
import { promiseLines } from './request-promise';

const CLAIRE: Actor = { id: 'u-claire', role: 'customer', name: 'Claire Martin' };
const PAUL: Actor = { id: 'a-paul', role: 'agent', name: 'Paul Agent' };

/**
 * A request as the workflow keeps it, on the Paris office calendar (Mon–Fri 9:00–18:00, French
 * holidays) of the standard policy: medium priority, first answer within 4 business hours,
 * resolution within 27. Filed on Friday 4 December 2026 at 17:00 in Paris.
 */
const FILED = new Date('2026-12-04T16:00:00Z');
function filed(): TicketState {
  return createTicket(
    {
      reference: 'SUPPORT-7',
      requestType: 'ask-a-question',
      organizationId: 'org-retailer',
      requester: { id: CLAIRE.id, name: CLAIRE.name },
      summary: 'Où est ma livraison ?',
      confidential: false,
      defaultTeam: 'support',
      priority: 'medium',
      slaPolicy: DEFAULT_SLA_POLICIES.standard,
      windows: { validationMinutes: 2700, validationReminderMinutes: 540, reopenMinutes: 5400 },
    },
    FILED,
  ).state;
}
const at = (iso: string) => new Date(iso);
const qualified = () => {
  const s = filed();
  applyAction(s, PAUL, 'qualify', { priority: 'medium', billable: false }, at('2026-12-04T16:30:00Z'));
  return s;
};
const lines = (s: TicketState, locale: Locale, now: Date) => promiseLines(s, translator(locale), locale, now);
const texts = (s: TicketState, locale: Locale, now: Date) => lines(s, locale, now).map((l) => l.text);

describe("the promise on the customer's request page", () => {
  it('says when the first answer is due on the business calendar, in Paris time, FR and EN', () => {
    // One business hour on Friday (17:00–18:00), three on Monday from 9:00: Monday 12:00.
    const s = filed();
    expect(texts(s, 'fr', at('2026-12-04T16:05:00Z'))).toEqual([
      'Première réponse prévue avant le lundi 7 décembre 2026 à 12:00.',
    ]);
    expect(texts(s, 'en', at('2026-12-04T16:05:00Z'))).toEqual([
      'First answer expected by Monday, 7 December 2026 at 12:00.',
    ]);
  });

  it('adds the resolution target once the request is qualified', () => {
    // 27 business hours from Friday 17:00: 1 + 9 (Mon) + 9 (Tue) + 8 (Wed) = Wednesday 17:00.
    expect(texts(qualified(), 'fr', at('2026-12-04T16:35:00Z'))).toEqual([
      'Première réponse prévue avant le lundi 7 décembre 2026 à 12:00.',
      'Résolution visée avant le mercredi 9 décembre 2026 à 17:00.',
    ]);
    expect(texts(qualified(), 'en', at('2026-12-04T16:35:00Z'))[1]).toBe(
      'We aim to resolve your request by Wednesday, 9 December 2026 at 17:00.',
    );
  });

  it('says the clock is paused while the request waits for the customer, then shows the next target', () => {
    const s = qualified();
    applyAction(s, PAUL, 'requestInformation', { question: 'Quel numéro de commande ?' }, at('2026-12-07T08:00:00Z'));
    expect(s.status).toBe('waiting_for_customer');
    expect(texts(s, 'fr', at('2026-12-08T08:00:00Z'))).toEqual([
      "En attente de votre réponse : le délai est suspendu jusqu'à votre retour.",
    ]);
    expect(texts(s, 'en', at('2026-12-08T08:00:00Z'))).toEqual([
      'Waiting for your reply: the clock is paused until you answer.',
    ]);
    // Claire answers on Tuesday at 10:00 Paris: the first answer was given (met), the resolution
    // clock resumes with the business day it lost (Monday 9:00 → Tuesday 10:00 paused): 27 − 1 − 0
    // = 26 hours left from Tuesday 10:00 → 8 (Tue) + 9 (Wed) + 9 (Thu) = Thursday 18:00.
    applyAction(s, CLAIRE, 'provideInformation', { body: 'CMD-42' }, at('2026-12-08T09:00:00Z'));
    expect(lines(s, 'fr', at('2026-12-08T09:01:00Z'))).toEqual([
      { kind: 'resolution-due', text: 'Résolution visée avant le jeudi 10 décembre 2026 à 18:00.' },
    ]);
  });

  it('says a passed target is late, never a date gone by', () => {
    const s = filed();
    // Monday 12:30 in Paris: the first answer was due at 12:00; before the workflow's timer marks it…
    const late = at('2026-12-07T11:30:00Z');
    expect(lines(s, 'fr', late)).toEqual([
      {
        kind: 'first-answer-late',
        text: 'Notre première réponse a pris du retard : votre demande a été signalée à un responsable du support.',
      },
    ]);
    // …and once it has (breached, escalated).
    advanceTime(s, late);
    expect(s.sla.firstResponse.breachedAt).toBeDefined();
    expect(texts(s, 'en', late)).toEqual([
      'Our first answer is running late: your request has been flagged to a support lead.',
    ]);
    expect(texts(s, 'fr', late).join(' ')).not.toMatch(/lundi|12:00/);
  });

  it('says nothing once no target is pending or the request is not support’s to move', () => {
    const s = qualified();
    applyAction(s, PAUL, 'assign', { agentId: PAUL.id }, at('2026-12-07T08:00:00Z'));
    applyAction(s, PAUL, 'start', {}, at('2026-12-07T08:01:00Z'));
    applyAction(s, PAUL, 'resolve', { answer: 'Livrée.' }, at('2026-12-07T08:02:00Z'));
    expect(s.status).toBe('resolved');
    expect(texts(s, 'fr', at('2026-12-07T08:03:00Z'))).toEqual([]);
    applyAction(s, CLAIRE, 'acceptResolution', {}, at('2026-12-07T08:04:00Z'));
    expect(texts(s, 'fr', at('2026-12-07T08:05:00Z'))).toEqual([]);
    expect(texts({ ...filed(), sla: undefined } as never, 'fr', FILED)).toEqual([]);
  });

  it('says nothing on a rejected request, even one that came late', () => {
    const s = qualified();
    // Thursday: both targets have passed (first answer Monday 12:00, resolution Wednesday 17:00).
    advanceTime(s, at('2026-12-10T11:00:00Z'));
    expect(lines(s, 'fr', at('2026-12-10T11:00:00Z')).map((l) => l.kind)).toEqual([
      'first-answer-late',
      'resolution-late',
    ]);
    applyAction(s, PAUL, 'reject', { reason: 'Hors contrat.' }, at('2026-12-10T12:00:00Z'));
    expect([s.status, s.sla.resolution.breachedAt !== undefined]).toEqual(['rejected', true]);
    expect(texts(s, 'fr', at('2026-12-10T12:01:00Z'))).toEqual([]);
  });
});
