import { REQUEST_TYPES, TICKET_TEXT_MAX, type TicketState, type TicketStatus } from '@woop/contracts';
import type { VerifiedIdentity } from '@woop/service-kit';
import { bodyOf, EMAIL_REQUEST_TYPE, mayOpenByEmail, replyKind, summaryOf } from './mail';

const who = (userId: string, role: VerifiedIdentity['role'], organizationId?: string): VerifiedIdentity => ({
  userId,
  role,
  name: userId,
  email: `${userId}@example.test`,
  ...(organizationId ? { organizationId } : {}),
  orgAdmin: false,
  teams: role === 'agent' ? ['support'] : [],
  locale: 'fr',
});
const claire = who('claire', 'customer', 'org-enseigne');
const hugo = who('hugo', 'customer', 'org-enseigne');
const paul = who('paul', 'agent');
const admin = who('ada', 'admin');

const ticket = (status: TicketStatus, sharedWithHugo = false) =>
  ({
    status,
    organizationId: 'org-enseigne',
    requester: { id: 'claire', name: 'Claire' },
    sharedWith: sharedWithHugo ? [{ id: 'hugo', name: 'Hugo' }] : [],
    activity: sharedWithHugo
      ? [
          {
            seq: 1,
            at: '2026-12-01T10:00:00Z',
            actor: { id: 'claire', role: 'customer', name: 'Claire' },
            kind: 'shared',
            visibility: 'public',
            people: [{ id: 'hugo', name: 'Hugo' }],
          },
        ]
      : [],
  }) as unknown as TicketState;

describe('what an emailed reply becomes', () => {
  it("is the information asked for when the request waits for the requester, else the customer's comment", () => {
    expect(replyKind(claire, ticket('waiting_for_customer'))).toEqual({ action: 'provideInformation' });
    for (const status of ['open', 'assigned', 'in_progress', 'rejected'] as const) {
      expect([status, replyKind(claire, ticket(status))]).toEqual([status, { action: 'comment' }]);
    }
  });

  it('is a comment on RÉSOLU and TERMINÉ: never a validation, a rejection or a reopening', () => {
    expect(replyKind(claire, ticket('resolved'))).toEqual({ action: 'comment' });
    expect(replyKind(claire, ticket('done'))).toEqual({ action: 'comment' });
  });

  it('is the information from a colleague who sees it too, as on the page (giving it decides nothing)', () => {
    expect(replyKind(hugo, ticket('waiting_for_customer'))).toEqual({ action: 'provideInformation' });
    expect(replyKind(hugo, ticket('waiting_for_customer', true))).toEqual({ action: 'provideInformation' });
    expect(replyKind(hugo, ticket('resolved'))).toEqual({ action: 'comment' });
  });

  it('is a public answer from an agent or an admin, never an internal note', () => {
    for (const status of ['open', 'in_progress', 'waiting_for_customer', 'resolved', 'done'] as const) {
      expect([status, replyKind(paul, ticket(status))]).toEqual([status, { action: 'reply' }]);
      expect([status, replyKind(admin, ticket(status))]).toEqual([status, { action: 'reply' }]);
    }
  });

  it('is nothing on a closed request, whoever sends it', () => {
    for (const sender of [claire, paul, admin]) {
      expect(replyKind(sender, ticket('closed'))).toEqual({ ignore: 'request_closed' });
    }
  });

  it('says what the sender wrote above the history, else the whole body, within the limit; nothing when blank', () => {
    expect(bodyOf({ visibleText: '  Merci  ', text: 'Merci\n> ancien' })).toBe('Merci');
    expect(bodyOf({ visibleText: ' ', text: ' Tout le texte ' })).toBe('Tout le texte');
    expect(bodyOf({ visibleText: '', text: ' \n ' })).toBeUndefined();
    expect(bodyOf({ visibleText: 'x'.repeat(TICKET_TEXT_MAX + 10), text: '' })).toHaveLength(TICKET_TEXT_MAX);
  });
});

describe('a request opened by email', () => {
  it('is of a type that is not confidential ("Poser une question"); confidential types never are', () => {
    const type = REQUEST_TYPES.find((t) => t.key === EMAIL_REQUEST_TYPE)!;
    expect(type.label.fr).toBe('Poser une question');
    expect(mayOpenByEmail(type)).toBe(true);
    const confidential = REQUEST_TYPES.filter((t) => t.confidential);
    expect(confidential.length).toBeGreaterThan(0);
    for (const t of confidential) expect([t.key, mayOpenByEmail(t)]).toEqual([t.key, false]);
  });

  it('takes the subject as its summary, one line, or says it had none in the message’s language', () => {
    expect(summaryOf({ subject: '  Étiquettes\r\n illisibles ', language: 'fr' })).toBe('Étiquettes illisibles');
    expect(summaryOf({ subject: '   ', language: 'fr' })).toBe('(sans objet)');
    expect(summaryOf({ subject: '', language: undefined })).toBe('(sans objet)');
    expect(summaryOf({ subject: '', language: 'en' })).toBe('(no subject)');
    expect(summaryOf({ subject: 'x'.repeat(400) })).toHaveLength(255);
  });
});
