import { createApiTokenBody } from '../api/identity';
import { ticketActionBodies } from '../api/tickets';
import { z } from 'zod';
import { nonBlank, ticketActionPayloads, ticketPayloadProblem, TICKET_ACTIONS } from './actions';

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
    expect(createApiTokenBody.parse({ name: ` ${'*'.repeat(98)} ` })).toMatchObject({ name: '*'.repeat(98) });
  });

  it('documents "not blank" as a pattern, so that what the document allows is what it takes', () => {
    const name = nonBlank(100);
    const { pattern, minLength } = z.toJSONSchema(name) as { pattern: string; minLength: number };
    const documented = (s: string) => s.length >= minLength && new RegExp(pattern, 'u').test(s);
    // A lone tab is one character: minLength alone allowed it, and the trimmed value was refused.
    for (const blank of ['\t', ' \u00a0', '\ufeff', '\u2028\u3000']) {
      expect([blank, documented(blank), name.safeParse(blank).success]).toEqual([blank, false, false]);
    }
    for (const text of ['\tx', ' é ', '\u{1F69A}']) {
      expect([text, documented(text), name.safeParse(text).success]).toEqual([text, true, true]);
    }
    expect(createApiTokenBody.safeParse({ name: '\t' }).success).toBe(false);
    expect(z.toJSONSchema(createApiTokenBody)).toMatchObject({ properties: { name: { pattern } } });
  });

  it('takes a body without a payload for the actions that need none, and not for the others', () => {
    expect(ticketActionBodies.start.parse({})).toEqual({ payload: {} });
    expect(ticketActionBodies.acceptResolution.safeParse({}).success).toBe(true);
    expect(ticketActionBodies.resolve.safeParse({}).success).toBe(false);
    expect(ticketActionBodies.resolve.parse({ payload: { answer: ' Livrée. ', extra: 1 } })).toEqual({
      payload: { answer: 'Livrée.' },
    });
  });

  it("marks a comment, an answer or information as emailed for the tickets service, never from a client's body", () => {
    for (const action of ['comment', 'reply', 'provideInformation'] as const) {
      // What the workflow takes (the tickets service sets it for a reply read from the mailbox).
      expect(ticketActionPayloads[action].parse({ body: 'Bonjour', channel: 'email' })).toEqual({
        body: 'Bonjour',
        channel: 'email',
      });
      expect(ticketActionPayloads[action].safeParse({ body: 'Bonjour', channel: 'fax' }).success).toBe(false);
      // What the API takes from a client: the channel is not part of it.
      expect(ticketActionBodies[action].parse({ payload: { body: 'Bonjour', channel: 'email' } })).toEqual({
        payload: { body: 'Bonjour' },
      });
      expect(JSON.stringify(z.toJSONSchema(ticketActionBodies[action]))).not.toContain('channel');
    }
  });
});
