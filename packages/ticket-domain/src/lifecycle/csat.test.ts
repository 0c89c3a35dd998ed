import type { Actor, TicketState } from '@woop/contracts';
import { refusal as refusalOf } from './rules';
import { AGENT, CUSTOMER, newTicket } from '../testing/fixtures';
import { allowedActions, applyAction, createTicket } from '.';
import { closureOf } from './csat';

const T0 = new Date('2026-11-30T08:00:00Z');
const COLLEAGUE: Actor = { id: 'u-hugo', role: 'customer', name: 'Hugo Colin' };

function act(state: TicketState, actor: Actor, action: Parameters<typeof applyAction>[2], payload: object) {
  const why = refusalOf(state, actor, action, payload);
  if (why) throw new Error(why.message);
  return applyAction(state, actor, action, payload as never, T0);
}

/** A request answered and validated: TERMINÉ, its first closure. */
function done(): TicketState {
  const s = createTicket(newTicket(), T0).state;
  act(s, AGENT, 'qualify', { priority: 'medium', billable: false, assignment: { agentId: 'a-paul' } });
  act(s, AGENT, 'start', {});
  act(s, AGENT, 'resolve', { answer: 'Livrée ce matin.' });
  act(s, CUSTOMER, 'acceptResolution', {});
  return s;
}

describe('satisfaction (CSAT): "Êtes-vous satisfait de la réponse ?"', () => {
  it('is offered to customers while TERMINÉ only, and records the score, the comment and the closure', () => {
    const s = createTicket(newTicket(), T0).state;
    expect(allowedActions(s, 'customer')).not.toContain('rate');
    expect(refusalOf(s, CUSTOMER, 'rate', { score: 5 })?.code).toBe('action_not_allowed_in_status');

    const d = done();
    expect(allowedActions(d, 'customer')).toContain('rate');
    const [event] = act(d, CUSTOMER, 'rate', { score: 4, comment: 'Rapide, merci' });
    expect(d.csat).toEqual({ score: 4, comment: 'Rapide, merci', at: T0.toISOString(), by: CUSTOMER, closure: 1 });
    expect(event).toEqual({
      type: 'ticket.rated',
      data: { score: 4, comment: 'Rapide, merci', closure: 1, actor: CUSTOMER },
    });
    expect(d.activity.at(-1)).toMatchObject({ kind: 'rated', visibility: 'public', data: { score: 4, closure: 1 } });
    expect(d.status).toBe('done');
  });

  it('is answered once per closure: a second rating is refused with already_rated', () => {
    const d = done();
    act(d, CUSTOMER, 'rate', { score: 2 });
    expect(allowedActions(d, 'customer')).not.toContain('rate');
    expect(refusalOf(d, CUSTOMER, 'rate', { score: 5 })).toMatchObject({ code: 'already_rated', status: 'done' });
  });

  it('may be given again after a reopening answered again (a new TERMINÉ)', () => {
    const d = done();
    act(d, CUSTOMER, 'rate', { score: 2 });
    act(d, CUSTOMER, 'reopen', { reason: 'Toujours pas reçu' });
    // Rated for the first closure, reopened: nothing to rate until it is TERMINÉ again.
    expect(refusalOf(d, CUSTOMER, 'rate', { score: 5 })?.code).toBe('action_not_allowed_in_status');
    expect(d.csat?.score).toBe(2);
    act(d, AGENT, 'resolve', { answer: 'Renvoyée.' });
    act(d, CUSTOMER, 'acceptResolution', {});
    expect(closureOf(d)).toBe(2);
    expect(allowedActions(d, 'customer')).toContain('rate');
    act(d, CUSTOMER, 'rate', { score: 5 });
    expect(d.csat).toMatchObject({ score: 5, closure: 2 });
    expect(refusalOf(d, CUSTOMER, 'rate', { score: 1 })?.code).toBe('already_rated');
  });

  it("is the requester's own: not a colleague's, an agent's nor an admin's", () => {
    const d = done();
    expect(refusalOf(d, COLLEAGUE, 'rate', { score: 5 })?.code).toBe('role_not_allowed');
    expect(refusalOf(d, AGENT, 'rate', { score: 5 })?.code).toBe('role_not_allowed');
    expect(refusalOf(d, { ...AGENT, role: 'admin' }, 'rate', { score: 5 })?.code).toBe('role_not_allowed');
    expect(allowedActions(d, 'agent')).not.toContain('rate');
  });

  it('takes a whole score from 1 to 5 and a comment of at most 2,000 characters', () => {
    const d = done();
    for (const payload of [
      { score: 0 },
      { score: 6 },
      { score: 4.5 },
      { score: '5' },
      {},
      { score: 3, comment: 'x'.repeat(2001) },
    ]) {
      expect([payload, refusalOf(d, CUSTOMER, 'rate', payload)?.code]).toEqual([payload, 'invalid_payload']);
    }
    for (const payload of [{ score: 1 }, { score: 5, comment: 'x'.repeat(2000) }]) {
      expect(refusalOf(d, CUSTOMER, 'rate', payload)).toBeUndefined();
    }
  });
});
