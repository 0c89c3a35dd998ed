import { randomUUID } from 'node:crypto';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { temporalDataConverter, temporalPayloadCodecFromEnv } from '@woop/service-kit';
import type { NoopActivities } from './noop-workflows';
import { forEachConcurrent } from './stats';

const NOOP_UPDATE = 'noop';
const AFTER_ACTIVITY_UPDATE = 'afterActivity';
const AFTER_LOCAL_ACTIVITY_UPDATE = 'afterLocalActivity';

/**
 * The bench's Temporal side: a client on the stack's server, and a tiny worker with no-op
 * workflows on a task queue of its own (the baseline of every gateway figure). Every workflow
 * the bench starts is remembered and terminated at the end.
 */
export class Baseline {
  readonly started = new Set<string>();
  private worker?: Worker;
  private running?: Promise<void>;
  private nativeConnection?: NativeConnection;
  private constructor(
    readonly client: Client,
    private readonly connection: Connection,
    readonly taskQueue: string,
  ) {}

  /** Payloads encrypted as the services' (TEMPORAL_PAYLOAD_KEYS): the bench starts ticket workflows too. */
  private static readonly dataConverter = temporalDataConverter(temporalPayloadCodecFromEnv());

  static async connect(address: string, namespace: string, run: string): Promise<Baseline> {
    const connection = await Connection.connect({ address });
    return new Baseline(
      new Client({ connection, namespace, dataConverter: Baseline.dataConverter }),
      connection,
      `bench-noop-${run}`,
    );
  }

  async serverVersion(): Promise<string | undefined> {
    try {
      const info = await this.connection.workflowService.getSystemInfo({});
      return info.serverVersion ?? undefined;
    } catch {
      return undefined;
    }
  }

  async startWorker(address: string, namespace: string): Promise<void> {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    });
    this.nativeConnection = await NativeConnection.connect({ address });
    this.worker = await Worker.create({
      connection: this.nativeConnection,
      namespace,
      taskQueue: this.taskQueue,
      workflowsPath: require.resolve('./noop-workflows'),
      activities: { noopActivity: async () => undefined } satisfies NoopActivities,
      dataConverter: Baseline.dataConverter,
    });
    this.running = this.worker.run();
  }

  /** A bare start of a workflow that does nothing: what the server takes to accept a workflow. */
  async startNoop(): Promise<void> {
    const workflowId = `bench-noop-${randomUUID()}`;
    await this.client.workflow.start('noopWorkflow', { taskQueue: this.taskQueue, workflowId });
  }

  /**
   * The engine's floor under a create: update-with-start of a workflow whose update answers
   * once an activity is done (the create's pattern: start, workflow task, projection activity,
   * workflow task), with nothing inside.
   */
  async startAfterActivity(): Promise<void> {
    const workflowId = `bench-floor-${randomUUID()}`;
    this.started.add(workflowId);
    await this.client.workflow.executeUpdateWithStart(AFTER_ACTIVITY_UPDATE, {
      startWorkflowOperation: new WithStartWorkflowOperation('noopAfterActivity', {
        taskQueue: this.taskQueue,
        workflowId,
        workflowIdConflictPolicy: 'FAIL',
      }),
    });
  }

  /** Like `startAfterActivity`, the activity run as a local activity (the local projection's floor). */
  async startAfterLocalActivity(): Promise<void> {
    const workflowId = `bench-floor-local-${randomUUID()}`;
    this.started.add(workflowId);
    await this.client.workflow.executeUpdateWithStart(AFTER_LOCAL_ACTIVITY_UPDATE, {
      startWorkflowOperation: new WithStartWorkflowOperation('noopAfterLocalActivity', {
        taskQueue: this.taskQueue,
        workflowId,
        workflowIdConflictPolicy: 'FAIL',
      }),
    });
  }

  /** `count` workflows whose update answers after a local activity, started and running. */
  async afterLocalActivityWorkflows(count: number): Promise<string[]> {
    return this.startWaiting('noopAfterLocalActivity', 'bench-floor-local', count, (id) =>
      this.updateAfterLocalActivity(id),
    );
  }

  /** An update answered once a local activity is done. */
  async updateAfterLocalActivity(workflowId: string): Promise<void> {
    await this.client.workflow.getHandle(workflowId).executeUpdate(AFTER_LOCAL_ACTIVITY_UPDATE);
  }

  /** `count` workflows whose update answers after an activity, started and running. */
  async afterActivityWorkflows(count: number): Promise<string[]> {
    return this.startWaiting('noopAfterActivity', 'bench-floor', count, (id) => this.updateAfterActivity(id));
  }

  /** The engine's floor under an action: an update answered once an activity is done. */
  async updateAfterActivity(workflowId: string): Promise<void> {
    await this.client.workflow.getHandle(workflowId).executeUpdate(AFTER_ACTIVITY_UPDATE);
  }

  /** `count` workflows waiting for updates, started and running. */
  async updatables(count: number): Promise<string[]> {
    return this.startWaiting('noopUpdatable', 'bench-updatable', count, (id) => this.update(id));
  }

  /**
   * `count` workflows of `type`, started and each sent `firstUpdate` once: the first update of
   * each also waits for its first workflow task, which is not part of the figures.
   */
  private async startWaiting(
    type: string,
    prefix: string,
    count: number,
    firstUpdate: (workflowId: string) => Promise<void>,
  ): Promise<string[]> {
    const ids = Array.from({ length: count }, () => `${prefix}-${randomUUID()}`);
    await forEachConcurrent(ids, 8, async (workflowId) => {
      await this.client.workflow.start(type, { taskQueue: this.taskQueue, workflowId });
      this.started.add(workflowId);
    });
    await forEachConcurrent(ids, 8, firstUpdate);
    return ids;
  }

  /** A bare update answered by the workflow at once. */
  async update(workflowId: string): Promise<void> {
    await this.client.workflow.getHandle(workflowId).executeUpdate(NOOP_UPDATE, { args: ['x'] });
  }

  /** Every running workflow of a task queue (one the bench owns): also those of requests that timed out. */
  async runningOn(taskQueue: string): Promise<void> {
    for await (const wf of this.client.workflow.list({
      query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`,
    }))
      this.started.add(wf.workflowId);
  }

  /** Terminates what the bench left running (its ticket workflows and updatables). */
  async terminateAll(): Promise<number> {
    let done = 0;
    await forEachConcurrent([...this.started], 16, async (id) => {
      try {
        await this.client.workflow.getHandle(id).terminate('bench finished');
        done++;
      } catch {
        /* already closed */
      }
    });
    this.started.clear();
    return done;
  }

  async close(): Promise<void> {
    if (this.worker && this.worker.getState() === 'RUNNING') this.worker.shutdown();
    await this.running?.catch(() => undefined);
    await this.nativeConnection?.close();
    await this.connection.close();
  }
}
