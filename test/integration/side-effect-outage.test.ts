import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ticketWorkflowId } from '@woop/contracts';
import { TICKETS_COLLECTION } from '../../services/tickets/src/model/read-model';
import { newTicket } from '../../workflows/src/testing/fixtures';
import { eventually } from '../support/eventually';
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

    const handle = h.client.workflow.getHandle(ticketWorkflowId(reference));
    const pending = await eventually(
      async () => (await handle.describe()).raw.pendingActivities ?? [],
      (acts) => acts.some((a) => (a.attempt ?? 0) >= 2 && a.lastFailure !== null),
      60_000,
    );
    expect(pending[0]?.activityType?.name).toBe('projectTicket');

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
