import { refusal } from '@woop/ticket-domain';

/**
 * The worker evaluates a workflow's modules again for each workflow it loads into its cache, so
 * what they import is paid per open ticket, in memory and on every reload after an eviction.
 * zod was most of it (1.2 MB and 12 ms a load with it, 0.3 MB and 4 ms without, measured with
 * Node's require): the workflow's modules load without it, and its validators load it on the
 * first payload they check.
 */
describe("the ticket workflow's modules", () => {
  it('load without zod', () => {
    jest.isolateModules(() => {
      jest.doMock('zod', () => {
        throw new Error('zod was loaded with the workflow');
      });
      expect(() => void jest.requireActual('../workflows')).not.toThrow();
    });
    jest.dontMock('zod');
  });

  it('still check a payload with the contract, loading it then', () => {
    const state = { status: 'in_progress', reference: 'SUPPORT-1', activity: [] } as unknown as Parameters<
      typeof refusal
    >[0];
    const agent = { id: 'a', role: 'agent', name: 'Paul' } as const;
    expect(refusal(state, agent, 'reply', { body: ' ' })).toMatchObject({ code: 'invalid_payload' });
    expect(refusal(state, agent, 'reply', { body: ' ' })?.message).toMatch(/^body: /);
  });
});
