import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { DEVELOPMENT_PAYLOAD_KEY, PayloadEncryptionCodec, temporalDataConverter } from '@woop/service-kit';
import { workerTracing } from './temporal-worker';

/**
 * The worker's tracing interceptors run inside the workflow: the recorded histories (tickets
 * started before they existed among them) must replay with them as they do without. The
 * OpenTelemetry package's own workflow interceptors fail this (see workflow-trace-interceptors).
 */
const DIR = join(__dirname, '..', '..', '..', '..', 'workflows', 'histories');

describe('the worker tracing interceptors', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

  it.each(files)(
    'replay %s without non-determinism',
    async (file) => {
      const history = historyFromJSON(JSON.parse(readFileSync(join(DIR, file), 'utf8')));
      const { interceptors, sinks } = workerTracing();
      await expect(
        Worker.runReplayHistory(
          {
            workflowsPath: require.resolve('../../../../workflows/src/workflows'),
            interceptors: { workflowModules: interceptors?.workflowModules ?? [] },
            sinks,
            // Later recordings hold payloads encrypted with the development key (replay.test.ts).
            dataConverter: temporalDataConverter(new PayloadEncryptionCodec([DEVELOPMENT_PAYLOAD_KEY])),
          },
          history,
          file,
        ),
      ).resolves.toBeUndefined();
    },
    120_000,
  );
});
