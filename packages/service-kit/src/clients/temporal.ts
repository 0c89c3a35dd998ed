import { Client, Connection } from '@temporalio/client';
import type { ReadinessCheck } from '../readiness';

export interface TemporalHandle {
  readonly connection: Connection;
  readonly client: Client;
  readonly readiness: ReadinessCheck;
  close(): Promise<void>;
}

/**
 * A lazy connection: nothing is dialled until the first call, so a service starts (not ready)
 * while Temporal is down and works as soon as it is back.
 */
export function connectTemporal(address: string, namespace: string): TemporalHandle {
  const connection = Connection.lazy({ address });
  const client = new Client({ connection, namespace });
  return {
    connection,
    client,
    readiness: {
      name: 'temporal',
      async check() {
        const { status } = await connection.healthService.check({});
        // 1 = SERVING in grpc.health.v1.HealthCheckResponse.ServingStatus
        if (Number(status) !== 1) throw new Error(`temporal health status ${String(status)}`);
      },
    },
    close: () => connection.close(),
  };
}
