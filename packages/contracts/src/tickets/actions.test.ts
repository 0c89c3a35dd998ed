import { createApiTokenBody } from '../api/identity';
import { ticketActionBodies } from '../api/tickets';
import { ticketActionPayloads, ticketPayloadProblem, TICKET_ACTIONS } from './actions';

describe('ticket action payloads', () => {
  it('has one schema per action, and one request body per action taken by route', () => {
    expect(Object.keys(ticketActionPayloads).sort()).toEqual([...TICKET_ACTIONS].sort());
    expect(Object.keys(ticketActionBodies).sort()).toEqual(
      TICKET_ACTIONS.filter((a) => !['share', 'unshare', 'attach'].includes(a)).sort(),
    );
  });

  it('refuses blank or too long texts, unknown priorities and an empty assignment, naming the field', () => {
    expect(ticketPayloadProblem('reply', { body: 'ok' })).toBeUndefined();
    expect(ticketPayloadProblem('reply', { body: '   ' })).toMatch(/^body: /);
    expect(ticketPayloadProblem('reject', { reason: 'x'.repeat(2_001) })).toMatch(/^reason: .*2000/);
    expect(ticketPayloadProblem('changePriority', { priority: 'urgent' })).toMatch(/^priority: /);
    expect(ticketPayloadProblem('assign', {})).toBe('agentId: an agent or a team is required');
    expect(ticketPayloadProblem('qualify', { priority: 'high', billable: true, assignment: { team: 'dpo' } })).toBe(
      undefined,
    );
    expect(ticketPayloadProblem('start', undefined)).toBeUndefined();
    expect(ticketPayloadProblem('share', { people: [] })).toMatch(/^people: /);
  });

  it('bounds a text as sent, as the API document says, and stores it trimmed', () => {
    const astral = '\u{1F69A}';
    expect(ticketPayloadProblem('reject', { reason: `\t${astral.repeat(2_000)}` })).toMatch(/^reason: .*2000/);
    expect(ticketPayloadProblem('reject', { reason: `${astral.repeat(1_999)} ` })).toBeUndefined();
    expect(createApiTokenBody.safeParse({ name: `\u000b${'*'.repeat(100)}` }).success).toBe(false);
    expect(createApiTokenBody.parse({ name: ` ${'*'.repeat(98)} ` })).toEqual({ name: '*'.repeat(98) });
  });

  it('takes a body without a payload for the actions that need none, and not for the others', () => {
    expect(ticketActionBodies.start.parse({})).toEqual({ payload: {} });
    expect(ticketActionBodies.acceptResolution.safeParse({}).success).toBe(true);
    expect(ticketActionBodies.resolve.safeParse({}).success).toBe(false);
    expect(ticketActionBodies.resolve.parse({ payload: { answer: ' Livrée. ', extra: 1 } })).toEqual({
      payload: { answer: 'Livrée.' },
    });
  });
});
