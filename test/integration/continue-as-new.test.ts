import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES, ticketWorkflowId, type TicketState } from '@woop/contracts';
import { TicketWorkflows } from '../../services/tickets/src/api/ticket-client';
import { newTicket } from '../../packages/ticket-domain/src/testing/fixtures';
import { uniqueReference } from '../support/ids';
import { eventually } from '../support/eventually';
import {
  startInMemoryTicketWorker,
  testDataConverter,
  type InMemoryTicketWorker,
} from '../support/in-memory-ticket-worker';
import { TEMPORAL_CLI } from '../setup/binaries';

/**
 * A dev server of its own (the project's Temporal CLI binary) that suggests continue-as-new
 * after 40 history events, so a ticket with a long conversation hands over to new runs while
 * comments keep arriving.
 */

describe('long ticket histories continue as new without losing a message', () => {
  let env: TestWorkflowEnvironment;
  let worker: InMemoryTicketWorker;

  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: TEMPORAL_CLI },
        ip: '127.0.0.1',
        searchAttributes: Object.values(SEARCH_ATTRIBUTES),
        extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=40'],
      },
      client: { dataConverter: testDataConverter },
    });
    worker = await startInMemoryTicketWorker(env, 'continue-as-new');
  });
  afterAll(async () => {
    await worker?.stop();
    await env?.teardown();
  });

  it('keeps every comment, version and event across runs', async () => {
    const tickets = new TicketWorkflows(env.client, 'continue-as-new', 50_000);
    const reference = uniqueReference();
    const { runId: firstRun } = await tickets.open(newTicket({ reference }));
    const customer = { id: 'u-claire', role: 'customer' as const, name: 'Claire' };
    for (let i = 1; i <= 30; i++) {
      await tickets.act(reference, 'comment', { actor: customer, payload: { body: `message ${i}` } });
    }
    // A burst while runs hand over: each must land exactly once.
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        tickets.act(reference, 'comment', { actor: customer, payload: { body: `burst ${i}` } }, `burst-${i}`),
      ),
    );
    const handle = env.client.workflow.getHandle(ticketWorkflowId(reference));
    // Once its side effects are drained, the run hands over to a new one.
    const runId = await eventually(
      async () => (await handle.describe()).runId,
      (id) => id !== firstRun,
    );
    expect(runId).not.toBe(firstRun);
    const firstHistory = await env.client.workflow.getHandle(ticketWorkflowId(reference), firstRun).fetchHistory();
    expect(firstHistory.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();

    const { ticket }: { ticket: TicketState } = await tickets.view(reference);
    const bodies = ticket.activity.filter((e) => e.kind === 'comment').map((e) => e.body);
    expect(bodies).toHaveLength(40);
    expect(new Set(bodies).size).toBe(40);
    expect(ticket.version).toBe(41);

    // Every version's events published once, in order, across the runs.
    const ids = await eventually(
      async () => worker.events.filter((e) => e.subject === reference).map((e) => e.id),
      (found) => found.length >= 41,
    );
    expect(ids.map((id) => id.split(':')[1])).toEqual(Array.from({ length: 41 }, (_, i) => String(i + 1)));
    expect(Math.max(...worker.projected)).toBe(41);
  });
});
