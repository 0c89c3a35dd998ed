import { SEARCH_ATTRIBUTES } from '@woop/contracts';
import { connectTemporal, createLogger, temporalPayloadCodecFromEnv } from '@woop/service-kit';
import type { Worker } from '@temporalio/worker';
import { connectNative, createTicketWorker } from '../../services/tickets/src/worker/temporal-worker';
import * as activities from '../fixtures/smoke-activities';
import { proceed, smokeWorkflow } from '../fixtures/smoke-workflows';
import { uniqueId } from '../support/ids';

const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');

describe('Temporal dev server through the project client and worker code', () => {
  const payloadCodec = temporalPayloadCodecFromEnv();
  const temporal = connectTemporal(address, 'default', payloadCodec);
  afterAll(() => temporal.close());

  it('runs a workflow to completion: start, signal, activity, result', async () => {
    const taskQueue = uniqueId('smoke');
    const connection = await connectNative(address, logger);
    let worker: Worker | undefined;
    try {
      worker = await createTicketWorker({
        connection,
        namespace: 'default',
        taskQueue,
        workflowsPath: require.resolve('../fixtures/smoke-workflows'),
        activities,
        payloadCodec,
      });
      const result = await worker.runUntil(async () => {
        const handle = await temporal.client.workflow.start(smokeWorkflow, {
          taskQueue,
          workflowId: uniqueId('smoke-wf'),
          args: ['Woop'],
        });
        await handle.signal(proceed);
        return handle.result();
      });
      expect(result).toBe('Bonjour Woop');
    } finally {
      await connection.close();
    }
  });

  it('has every custom search attribute of the contracts registered with its type', async () => {
    const { customAttributes } = await temporal.connection.operatorService.listSearchAttributes({
      namespace: 'default',
    });
    // temporal.api.enums.v1.IndexedValueType: KEYWORD = 2, BOOL = 5
    const wanted: Record<string, number> = { KEYWORD: 2, BOOL: 5 };
    for (const key of Object.values(SEARCH_ATTRIBUTES)) {
      expect(customAttributes?.[key.name]).toBe(wanted[key.type]);
    }
  });

  it('reports ready through the readiness check', async () => {
    await expect(temporal.readiness.check()).resolves.toBeUndefined();
  });
});
