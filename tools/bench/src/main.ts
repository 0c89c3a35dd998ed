/**
 * `npm run bench` (deploy/local/bench.sh): the system against the engines' own limits, every
 * figure beside a baseline measured in the same run (issue 13). Prints the machine and a
 * table, writes JSON and an SVG chart under .data/bench/. Exits non-zero when something
 * fails (a section throws; in `--quick` mode, any failed request); slow figures are figures,
 * marked "NOT MET" against their target, never a failure.
 *
 *   node tools/bench/dist/main.js [--quick] [--own-services]
 *
 * Default: the stack `npm start` runs (gateway on :3000). `--own-services`: copies of the
 * services from this checkout on free ports, with databases of their own, on the running
 * servers. `--quick`: small counts, own services (what CI runs after the tests).
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ticketWorkflowId } from '@woop/contracts';
import { createKafka, createLogger, connectMongo } from '@woop/service-kit';
import { ROWS_COLLECTION, TICKETS_COLLECTION } from '@woop/tickets/read-model';
import { Baseline } from './baseline';
import { Session } from './http';
import { listsSection } from './lists';
import { describeMachine } from './machine';
import { chart, oneLine, save, table, type Row } from './report';
import { actionsSection, createSection } from './gateway-sections';
import { ROOT } from './processes';
import type { Counts, Ctx } from './sections';
import { privateStack, runningStack, servers, type Stack } from './stack';
import { loadSection, slaSection } from './workflow-sections';
import { sleep } from './stats';
import { MailWatcher, TicketEvents } from './watchers';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const ownServices = quick || args.includes('--own-services');
const env = process.env;
// The demo accounts' password (services/identity/src/seed.ts); local only.
const PASSWORD = env.BENCH_PASSWORD ?? 'Woop-demo-2026!';
const SECTIONS = ['create', 'actions', 'sla', 'lists', 'open'] as const;
const only = (env.BENCH_SECTIONS ?? SECTIONS.join(',')).split(',').map((s) => s.trim());

const int = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
const ints = (name: string, fallback: number[]) => (env[name] ? env[name].split(',').map(Number) : fallback);

const counts: Counts = quick
  ? {
      creates: int('BENCH_CREATES', 12),
      concurrencies: ints('BENCH_CONCURRENCIES', [4]),
      actions: int('BENCH_ACTIONS', 8),
      actionConcurrency: int('BENCH_ACTION_CONCURRENCY', 4),
      slaTickets: int('BENCH_SLA_TICKETS', 10),
      slaLeadSeconds: int('BENCH_SLA_LEAD_S', 15),
      slaSpreadSeconds: int('BENCH_SLA_SPREAD_S', 5),
      listSizes: ints('BENCH_LIST_SIZES', [200, 400]),
      listRuns: int('BENCH_LIST_RUNS', 2),
      listBudgetMs: 2_000,
      openTickets: int('BENCH_OPEN_TICKETS', 10),
    }
  : {
      creates: int('BENCH_CREATES', 1_000),
      concurrencies: ints('BENCH_CONCURRENCIES', [8, 32]),
      actions: int('BENCH_ACTIONS', 500),
      actionConcurrency: int('BENCH_ACTION_CONCURRENCY', 8),
      slaTickets: int('BENCH_SLA_TICKETS', 1_000),
      slaLeadSeconds: int('BENCH_SLA_LEAD_S', 60),
      slaSpreadSeconds: int('BENCH_SLA_SPREAD_S', 60),
      listSizes: ints('BENCH_LIST_SIZES', [10_000, 100_000]),
      listRuns: int('BENCH_LIST_RUNS', 50),
      listBudgetMs: int('BENCH_LIST_BUDGET_MS', 20_000),
      openTickets: int('BENCH_OPEN_TICKETS', 10_000),
    };

const stamp = () => new Date().toISOString().slice(11, 19);
const log = (line: string) => console.log(`[${stamp()}] ${line}`);

/** Waits until a consumer group has joined (the private notifications service, before the seed). */
async function groupStable(brokers: string[], groupId: string, logger: ReturnType<typeof createLogger>) {
  const admin = createKafka('bench-admin', brokers, logger).admin();
  await admin.connect();
  try {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const { groups } = await admin.describeGroups([groupId]);
      if (groups[0]?.state === 'Stable' && groups[0].members.length > 0) return;
      await sleep(500);
    }
    throw new Error(`the consumer group ${groupId} did not join within 60 s`);
  } finally {
    await admin.disconnect();
  }
}

async function dropDatabases(uri: string, names: string[], logger: ReturnType<typeof createLogger>) {
  for (const name of names) {
    const m = connectMongo(uri, name, logger);
    await m.connected.then(() => m.connection.dropDatabase()).catch(() => undefined);
    await m.close();
  }
}

async function main(): Promise<number> {
  const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const logger = createLogger('bench', env.BENCH_LOG_LEVEL ?? 'error');
  const failures: Array<{ section: string; error: string }> = [];
  const rows: Row[] = [];
  const dir = join(env.WOOP_DATA_DIR ?? join(ROOT, '.data'), 'bench');
  const startStamp = new Date().toISOString().replace(/[:.]/g, '-');
  const partial = join(dir, `${startStamp}${quick ? '-quick' : ''}.partial.jsonl`);
  mkdirSync(dir, { recursive: true });
  // Each figure as soon as it is measured: on screen, and one JSON line on disk, so a run that is
  // cut short (a full run takes hours) keeps what it measured.
  const recorder = {
    push(...measured: Row[]) {
      for (const row of measured) {
        log(`  ${oneLine(row)}`);
        appendFileSync(partial, `${JSON.stringify(row)}\n`);
      }
      return rows.push(...measured);
    },
  };
  const s = servers();
  log(
    `bench run ${run}: ${quick ? 'quick (small counts, no assertion on times)' : 'full'}, ${ownServices ? "the bench's own copies of the services" : 'the running stack'}`,
  );

  let stack: Stack | undefined;
  if (!ownServices) {
    stack = await runningStack();
    if (!stack) {
      console.error(
        `\nThe stack is not running (no ready gateway at ${env.BENCH_GATEWAY_URL ?? `http://127.0.0.1:${env.GATEWAY_PORT ?? 3000}`}).\n` +
          "Start it with the gateway's rate limits raised, so they do not cap the figures:\n" +
          '  RATE_LIMIT_IP_PER_MINUTE=10000000 RATE_LIMIT_USER_PER_MINUTE=10000000 npm start\n' +
          'or run the bench on copies of the services of its own: npm run bench -- --own-services\n',
      );
      return 2;
    }
  }
  const base = await Baseline.connect(s.temporalAddress, s.namespace, run);
  const events = new TicketEvents(s.kafkaBrokers, `bench-${run}-events`, logger);
  const marker = `bench${run}`;
  const mail = new MailWatcher(s.mailApi, marker);
  const benchOrganizations: string[] = [];
  const claireTickets: string[] = [];
  let machine: Record<string, unknown> = {};
  try {
    if (!stack) {
      log('starting copies of identity, tickets, its worker, notifications and the gateway');
      stack = await privateStack(run, (group) => groupStable(s.kafkaBrokers, group, logger));
    }
    log(
      `gateway ${stack.gateway}, tickets task queue ${stack.ticketsTaskQueue}, worker pid ${stack.workerPid() ?? 'unknown'}`,
    );
    await base.startWorker(s.temporalAddress, s.namespace);
    await events.start();
    machine = await describeMachine(stack, await base.serverVersion(), logger);
    console.log('\nmachine:');
    for (const [k, v] of Object.entries(machine))
      console.log(`  ${k.padEnd(16)} ${Array.isArray(v) ? v.join(' ') : String(v)}`);
    console.log('');

    let claire: Session;
    let paul: Session;
    try {
      claire = await Session.login(stack.gateway, 'claire@enseigne.example', PASSWORD);
      paul = await Session.login(stack.gateway, 'paul@woop.example', PASSWORD);
    } catch (err) {
      throw new Error(
        `${String(err)}\nThe bench acts as the demo accounts: seed them with \`npm run seed\` (or set BENCH_PASSWORD).`,
        {
          cause: err,
        },
      );
    }
    const ctx: Ctx = {
      run,
      quick,
      counts,
      stack,
      base,
      events,
      mail,
      marker,
      claire,
      paul,
      logger,
      rows: recorder,
      claireTickets,
      benchOrganizations,
      log,
    };
    const sections: Record<(typeof SECTIONS)[number], () => Promise<void>> = {
      create: () => createSection(ctx),
      actions: () => actionsSection(ctx),
      sla: () => slaSection(ctx),
      lists: () => listsSection(ctx, PASSWORD),
      open: () => loadSection(ctx),
    };
    for (const name of SECTIONS) {
      if (!only.includes(name)) continue;
      log(`— section ${name}`);
      try {
        await sections[name]();
      } catch (err) {
        const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
        log(`section ${name} FAILED: ${error}`);
        failures.push({ section: name, error });
      }
    }
  } catch (err) {
    failures.push({ section: 'setup', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    log(`setup FAILED: ${String(err)}`);
  } finally {
    log('cleaning up: terminating the workflows the bench started, stopping what it started');
    mail.stop();
    await events.stop().catch(() => undefined);
    // The requests filed through copies of the services would stay open on a task queue nobody
    // polls any more; on the running stack they are its own and stay.
    if (stack?.kind === 'private') {
      for (const ref of claireTickets) base.started.add(ticketWorkflowId(ref));
      // A create the gateway gave up on (503) may still have started its workflow.
      await base.runningOn(stack.ticketsTaskQueue).catch(() => undefined);
    }
    const terminated = await base.terminateAll().catch(() => 0);
    log(`${terminated} workflows terminated`);
    if (stack?.kind === 'running' && benchOrganizations.length > 0) {
      // The running stack's read model: remove the tickets the bench wrote there itself.
      await sleep(2_000);
      const m = connectMongo(stack.mongoUri, stack.ticketsDb, logger);
      await m.connected;
      for (const c of [TICKETS_COLLECTION, ROWS_COLLECTION])
        await m.connection.db!.collection(c).deleteMany({ organizationId: { $in: benchOrganizations } });
      await m.close();
    }
    await base.close().catch(() => undefined);
    if (stack?.kind === 'private') {
      await stack.stop();
      await dropDatabases(
        s.mongoUri,
        ['identity', 'tickets', 'notifications', 'gateway'].map((d) => `bench_${run}_${d}`),
        logger,
      );
    }
  }

  console.log(`\n${table(rows)}\n`);
  const targets = rows.filter((r) => r.met !== undefined);
  const met = targets.filter((r) => r.met).length;
  console.log(
    `targets: ${met} of ${targets.length} met${quick ? ' (quick mode: small counts, times are not judged)' : ''}`,
  );
  const opErrors = rows.filter((r) => (r.measured.errors ?? 0) > 0);
  for (const f of failures) console.log(`FAILED: section ${f.section}: ${f.error.split('\n')[0]}`);

  const fileStamp = new Date().toISOString().replace(/[:.]/g, '-');
  const saved = save(
    dir,
    `${fileStamp}${quick ? '-quick' : ''}`,
    { run, mode: quick ? 'quick' : 'full', stack: stack?.kind, machine, counts, rows, failures },
    chart(
      rows,
      `npm run bench${quick ? ' --quick' : ''} — ${fileStamp} — ${String(machine.cores)} cores, ${String(machine.database)}`,
    ),
  );
  console.log(`results: ${saved.json}\nchart:   ${saved.svg}\nas measured: ${partial}`);
  if (failures.length > 0) return 1;
  if (quick && opErrors.length > 0) {
    console.log(`FAILED: requests failed in: ${opErrors.map((r) => r.name).join('; ')}`);
    return 1;
  }
  return 0;
}

main()
  .then((code) => process.exit(code))
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
