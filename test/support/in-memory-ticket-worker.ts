import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { EventEnvelope, TicketActivities } from '@woop/contracts';
import { temporalDataConverter, temporalPayloadCodecFromEnv } from '@woop/service-kit';

/**
 * Payloads encrypted as the services write them, on the test environment's client
 * (`TestWorkflowEnvironment.create*({ client: { dataConverter: testDataConverter } })`) and its workers.
 */
export const testDataConverter = temporalDataConverter(temporalPayloadCodecFromEnv());

export interface InMemoryTicketWorker {
  /** Versions passed to projectTicket, in order. */
  projected: number[];
  /** Events passed to publishTicketEvents, in order. */
  events: EventEnvelope[];
  stop(): Promise<void>;
}

/**
 * A ticket worker on a test environment whose side-effect activities only record what they are
 * given: for suites about the workflow's timing and runs, not its servers (the dev-server suite
 * runs the real activities).
 */
export async function startInMemoryTicketWorker(
  env: TestWorkflowEnvironment,
  taskQueue: string,
): Promise<InMemoryTicketWorker> {
  const projected: number[] = [];
  const events: EventEnvelope[] = [];
  const activities: TicketActivities = {
    projectTicket: async (state) => {
      projected.push(state.version);
    },
    projectTicketChange: async ({ ticket }) => {
      projected.push(ticket.version);
      return 'written';
    },
    publishTicketEvents: async (batch) => {
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
    async stop() {
      worker.shutdown();
      await running;
    },
  };
}
