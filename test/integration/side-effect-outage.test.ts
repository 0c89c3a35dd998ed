import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS, ticketWorkflowId, type Actor } from '@woop/contracts';
import { createKafka, createLogger } from '@woop/service-kit';
import { TICKETS_COLLECTION } from '../../services/tickets/src/model/read-model';
import { newTicket } from '../../packages/ticket-domain/src/testing/fixtures';
import { eventually } from '../support/eventually';
import { readEvents } from '../support/kafka-events';
import { uniqueReference } from '../support/ids';
import { freePort, type Spawned } from '../support/processes';
import { startTicketHarness, type TicketHarness } from '../support/ticket-harness';
import { FERRETDB } from '../setup/binaries';

/**
 * The read model's database is down when a ticket is created: the customer still gets the
 * ticket, the projection is retried (and visible as a failing pending activity to operators),
 * and lands once the database is back. A FerretDB of its own plays the database that comes back.
 */
describe('ticket side effects survive an outage of their server', () => {
  let h: TicketHarness;
  let port: number;
  let ferret: Spawned | undefined;

  beforeAll(async () => {
    port = await freePort();
    h = await startTicketHarness({ mongoUri: `mongodb://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    await h.close();
    await ferret?.stop();
  });

  it('retries the projection while the database is down and writes it once it is back', async () => {
    const reference = uniqueReference();
    await h.tickets.open(newTicket({ reference }));
    expect((await h.tickets.view(reference)).ticket.status).toBe('open');
    // Waiting for the read model gives up after a while, saying so, instead of holding the caller.
    const waited = await h.tickets.awaitProjection(reference);
    expect(waited).toMatchObject({ projected: false, ticket: { version: 1 } });

    const handle = h.client.workflow.getHandle(ticketWorkflowId(reference));
    const pending = await eventually(
      async () => (await handle.describe()).raw.pendingActivities ?? [],
      (acts) => acts.some((a) => (a.attempt ?? 0) >= 2 && a.lastFailure !== null),
      60_000,
    );
    expect(pending[0]?.activityType?.name).toBe('projectTicketChange');

    const dir = mkdtempSync(join(tmpdir(), 'woop-ferretdb-'));
    const child = spawn(
      FERRETDB,
      [
        '--handler=sqlite',
        `--sqlite-url=file:${dir}/`,
        `--listen-addr=127.0.0.1:${port}`,
        `--debug-addr=127.0.0.1:${await freePort()}`,
        `--state-dir=${dir}`,
        '--telemetry=disable',
        '--log-level=WARN',
      ],
      { stdio: 'ignore' },
    );
    ferret = {
      child,
      output: () => '',
      stop: () =>
        new Promise((resolve) => {
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    };
    const doc = await eventually(
      () => h.mongo.connection.collection(TICKETS_COLLECTION).findOne({ _id: reference as never }),
      (d) => d !== null,
      60_000,
    );
    expect(doc).toMatchObject({ status: 'open', version: 1 });
  }, 150_000);
});

/**
 * Kafka is unreachable while a ticket is created and acted on: the read model keeps up (each
 * call answers once its version is projected), the publishing activity retries on its own, and
 * once Kafka is back every event goes out once, in version order. The worker's only broker is a
 * port of our own where nothing listens; a TCP relay to the real Kafka opens there later.
 */
describe('ticket side effects while Kafka is unreachable', () => {
  const KAFKA = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')[0]!;
  let h: TicketHarness;
  let port: number;
  let relay: Server | undefined;

  beforeAll(async () => {
    port = await freePort();
    h = await startTicketHarness({ kafkaBrokers: [`127.0.0.1:${port}`] });
  });
  afterAll(async () => {
    await h.close();
    await new Promise((resolve) => (relay ? relay.close(resolve) : resolve(undefined)));
  });

  it('keeps the read model current and publishes every event, in order, once Kafka is back', async () => {
    const reference = uniqueReference();
    const customer: Actor = { id: 'u-claire', role: 'customer', name: 'Claire' };
    const readModel = () =>
      h.mongo.connection
        .collection(TICKETS_COLLECTION)
        .findOne({ _id: reference as never }, { projection: { version: 1 } });

    const { view } = await h.tickets.create(newTicket({ reference }));
    expect(view.ticket.version).toBe(1);
    for (let i = 1; i <= 3; i++) {
      const { ticket } = await h.tickets.act(reference, 'comment', { actor: customer, payload: { body: `m${i}` } });
      expect(ticket.version).toBe(i + 1);
    }
    // The read model keeps up while no event can go out (one loop for both stayed at version 1).
    await eventually(readModel, (doc) => doc?.version === 4, 20_000);
    const handle = h.client.workflow.getHandle(ticketWorkflowId(reference));
    const pending = await eventually(
      async () => (await handle.describe()).raw.pendingActivities ?? [],
      (acts) => acts.some((a) => (a.attempt ?? 0) >= 2 && a.lastFailure !== null),
      60_000,
    );
    expect(pending.map((a) => a.activityType?.name)).toEqual(['publishTicketEvents']);

    relay = createServer((client) => {
      const upstream = connect(Number(KAFKA.split(':')[1]), KAFKA.split(':')[0]);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => relay!.listen(port, '127.0.0.1', resolve));

    const reader = createKafka('outage-test-reader', [KAFKA], createLogger('test', 'silent'));
    const events = await readEvents(
      reader,
      TOPICS.tickets.name,
      (e) => e.subject === reference,
      (found) => found.length >= 4,
      90_000,
    );
    expect(events.map((e) => e.type)).toEqual([
      'ticket.created',
      'ticket.commented',
      'ticket.commented',
      'ticket.commented',
    ]);
    expect(events.map((e) => e.id.split(':')[1])).toEqual(['1', '2', '3', '4']);
    expect(new Set(events.map((e) => e.id)).size).toBe(4);
  }, 180_000);
});
