import { CompleteAsyncError, Context } from '@temporalio/activity';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { SEARCH_ATTRIBUTES, ticketWorkflowId, type EventEnvelope, type TicketActivities } from '@woop/contracts';
import { TicketWorkflows } from '../../services/tickets/src/api/ticket-client';
import { AGENT, newTicket } from '../../packages/ticket-domain/src/testing/fixtures';
import { eventually } from '../support/eventually';
import { uniqueReference } from '../support/ids';
import { TEMPORAL_CLI } from '../setup/binaries';
import { testDataConverter } from '../support/in-memory-ticket-worker';

/**
 * Issue 14's worker kill -9 drill, made deterministic on a dev server of its own: when the
 * publishing of version n and the projection of version n+1 complete in one workflow task (a
 * restarted worker catching up, or a busy one), the events of n+1 must still be published.
 * Before the fix, publishing made its last check (nothing projected past n) and the projection
 * then found it still marked as running, so nothing ever published them.
 */
describe('side-effect loops: work handed over in one workflow task is not dropped', () => {
  let env: TestWorkflowEnvironment;
  const taskQueue = 'side-effect-loops';

  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: TEMPORAL_CLI },
        ip: '127.0.0.1',
        searchAttributes: Object.values(SEARCH_ATTRIBUTES),
      },
      client: { dataConverter: testDataConverter },
    });
  });
  afterAll(async () => {
    await env?.teardown();
  });

  /** A worker whose side effects are recorded, and held (completed later by the test) when `hold` says so. */
  async function startWorker(hold: { project?: number; publish?: number } = {}) {
    const projected: number[] = [];
    const events: EventEnvelope[] = [];
    const held: { project?: Uint8Array; publish?: Uint8Array } = {};
    const activities: TicketActivities = {
      async projectTicket(state) {
        if (state.version === hold.project) {
          held.project = Context.current().info.taskToken;
          throw new CompleteAsyncError();
        }
        projected.push(state.version);
      },
      async projectTicketChange({ ticket }) {
        if (ticket.version === hold.project) {
          // A local attempt cannot be held (completed later): it fails, and the workflow goes on
          // with the projection as an activity, which is (the path a failed local write takes).
          if (Context.current().info.isLocal) throw new Error('the read model is held');
          held.project = Context.current().info.taskToken;
          throw new CompleteAsyncError();
        }
        projected.push(ticket.version);
        return 'written';
      },
      async publishTicketEvents(batch) {
        if (batch.some((e) => (e.data.ticket as { version: number }).version === hold.publish)) {
          held.publish = Context.current().info.taskToken;
          throw new CompleteAsyncError();
        }
        events.push(...batch);
      },
    };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../../workflows/src/workflows'),
      activities,
      dataConverter: testDataConverter,
    });
    const running = worker.run();
    return {
      projected,
      events,
      held,
      async stop() {
        worker.shutdown();
        await running;
      },
    };
  }

  it('publishes the events of a version projected while publishing was finishing', async () => {
    const tickets = new TicketWorkflows(env.client, taskQueue, 20_000);
    const reference = uniqueReference();
    // Version 2's events and version 3's projection stay in flight on the first worker.
    const first = await startWorker({ publish: 2, project: 3 });
    await tickets.create(newTicket({ reference }), { fresh: true });
    await tickets.act(reference, 'reply', { actor: AGENT, payload: { body: 'Première réponse' } });
    const second = await tickets.act(reference, 'reply', { actor: AGENT, payload: { body: 'Seconde réponse' } });
    expect(second.projected).toBe(false);
    await eventually(
      async () => ({ ...first.held }),
      (h) => h.publish !== undefined && h.project !== undefined,
    );
    await first.stop();

    // Both complete while no worker runs, so the next workflow task brings both at once, the
    // publishing first: the situation the drill met after restarting the worker.
    await env.client.activity.complete(first.held.publish!, undefined);
    await env.client.activity.complete(first.held.project!, 'written');
    const restarted = await startWorker();
    try {
      const published = await eventually(
        async () => restarted.events.filter((e) => e.subject === reference).map((e) => e.type),
        (types) => types.includes('ticket.replied'),
        30_000,
      );
      expect(published).toEqual(['ticket.replied']);
      // The events went out once the read model held their version, and only once.
      const history = await env.client.workflow.getHandle(ticketWorkflowId(reference)).fetchHistory();
      const scheduled = (history.events ?? []).filter(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'publishTicketEvents',
      );
      expect(scheduled).toHaveLength(3);
    } finally {
      await restarted.stop();
    }
  });
});
