import { ERASED_NAME, ERASED_TEXT, makeTicketEvent, ticketFactsOf, type TicketEvent } from '@woop/contracts';
import { AGENT, CUSTOMER, newTicket } from '../testing/fixtures';
import { erasePerson, validateErasure } from './erasure';
import { applyAction, createTicket } from '.';

const T0 = new Date('2026-11-30T08:00:00Z');

function ticketNamingClaire() {
  const { state } = createTicket(
    newTicket({ description: 'Bonjour, ici Claire Martin (claire MARTIN pour le transporteur).' }),
    T0,
  );
  applyAction(state, AGENT, 'qualify', { priority: 'medium', billable: false, assignment: { agentId: AGENT.id } }, T0);
  applyAction(state, AGENT, 'start', {}, T0);
  applyAction(state, CUSTOMER, 'comment', { body: 'Merci, Claire Martin' }, T0);
  applyAction(state, AGENT, 'reply', { body: 'Bien reçu, Claire Martin.' }, T0);
  applyAction(state, AGENT, 'share', { people: [{ id: 'u-hugo', name: 'Hugo Martinez' }] }, T0);
  const outbox: TicketEvent[] = applyAction(state, CUSTOMER, 'comment', { body: 'Encore moi' }, T0).map((c, i) =>
    makeTicketEvent(c, ticketFactsOf(state), i, T0),
  );
  return { state, outbox };
}

describe('erasing a person from a ticket (the erasePerson update)', () => {
  it('renames them everywhere in the state and the events to publish, and blanks their name in text', () => {
    const { state, outbox } = ticketNamingClaire();
    expect(erasePerson(state, outbox, CUSTOMER.id)).toBe(true);
    const text = JSON.stringify({ state, outbox });
    expect(text).not.toMatch(/claire martin/i);
    expect(state.requester.name).toBe(ERASED_NAME);
    expect(state.activity.filter((e) => e.actor.id === CUSTOMER.id).every((e) => e.actor.name === ERASED_NAME)).toBe(
      true,
    );
    expect(state.description).toBe(`Bonjour, ici ${ERASED_TEXT} (${ERASED_TEXT} pour le transporteur).`);
    expect(outbox[0]!.data.ticket.requester.name).toBe(ERASED_NAME);
    expect((outbox[0]!.data as { actor: { name: string } }).actor.name).toBe(ERASED_NAME);
    // Everyone else keeps their name; codes, ids and dates are untouched.
    expect(state.activity.filter((e) => e.actor.id === AGENT.id).every((e) => e.actor.name === AGENT.name)).toBe(true);
    expect(state.sharedWith).toEqual([{ id: 'u-hugo', name: 'Hugo Martinez' }]);
    expect(state.requester.id).toBe(CUSTOMER.id);
  });

  it("erases a rating's author and their name in its comment, in the state and the event to publish", () => {
    const { state } = ticketNamingClaire();
    applyAction(state, AGENT, 'resolve', { answer: 'Livrée.' }, T0);
    applyAction(state, CUSTOMER, 'acceptResolution', {}, T0);
    const outbox = applyAction(state, CUSTOMER, 'rate', { score: 5, comment: 'Signé Claire Martin' }, T0).map((c, i) =>
      makeTicketEvent(c, ticketFactsOf(state), i, T0),
    );
    expect(erasePerson(state, outbox, CUSTOMER.id)).toBe(true);
    expect(JSON.stringify({ state, outbox })).not.toMatch(/claire martin/i);
    expect(state.csat).toMatchObject({ score: 5, comment: `Signé ${ERASED_TEXT}`, by: { name: ERASED_NAME } });
    expect(outbox[0]!.data).toMatchObject({ comment: `Signé ${ERASED_TEXT}` });
  });

  it('is idempotent: a second erasure changes nothing', () => {
    const { state, outbox } = ticketNamingClaire();
    erasePerson(state, outbox, CUSTOMER.id);
    const once = JSON.stringify({ state, outbox });
    expect(erasePerson(state, outbox, CUSTOMER.id)).toBe(false);
    expect(JSON.stringify({ state, outbox })).toBe(once);
  });

  it('changes nothing for someone the ticket does not name', () => {
    const { state, outbox } = ticketNamingClaire();
    const before = JSON.stringify({ state, outbox });
    expect(erasePerson(state, outbox, 'u-nobody')).toBe(false);
    expect(JSON.stringify({ state, outbox })).toBe(before);
  });

  it('refuses a request without a person', () => {
    expect(() => validateErasure(undefined)).toThrow();
    expect(() => validateErasure({ userId: '' })).toThrow();
    expect(() => validateErasure({ userId: 'system' })).toThrow();
    expect(() => validateErasure({ userId: CUSTOMER.id })).not.toThrow();
  });
});
