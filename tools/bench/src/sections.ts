import { randomUUID } from 'node:crypto';
import { ticketWorkflowId, type NewTicket, type Priority, type SlaPolicy, type TicketListItem } from '@woop/contracts';
import { createSmtp, type Logger } from '@woop/service-kit';
import { TicketWorkflows } from '@woop/tickets/ticket-client';
import { DEFAULT_SLA_POLICIES, lifecycleWindows, ROUND_THE_CLOCK_CALENDAR } from '@woop/workflows';
import type { Baseline } from './baseline';
import type { Session } from './http';
import type { Figure, Row } from './report';
import { rssMiB, type Stack } from './stack';
import { forEachConcurrent, percentiles, runLoad, sleep, type LoadResult } from './stats';
import { consumerLag, type MailWatcher, type TicketEvents } from './watchers';

/** How much each section does (full mode: the issue's counts; quick: enough to run every path). */
export interface Counts {
  creates: number;
  concurrencies: number[];
  actions: number;
  actionConcurrency: number;
  slaTickets: number;
  /** At least this many seconds between the SLA starts and the first deadline (more if the worker creates tickets slowly). */
  slaLeadSeconds: number;
  /** Over how many seconds the deadlines are spread ("in the same minute"). */
  slaSpreadSeconds: number;
  listSizes: number[];
  listRuns: number;
  listBudgetMs: number;
  openTickets: number;
}

export interface Ctx {
  run: string;
  quick: boolean;
  counts: Counts;
  stack: Stack;
  base: Baseline;
  events: TicketEvents;
  mail: MailWatcher;
  /** Every text the bench writes carries it, so its emails are found among everyone's. */
  marker: string;
  claire: Session;
  paul: Session;
  logger: Logger;
  /** Where a section puts a figure: printed and written to disk at once (a run cut short keeps it). */
  rows: Pick<Row[], 'push'>;
  /** Requests filed through the gateway by this run (the actions act on them). */
  claireTickets: string[];
  /** The agent reply measured on a fresh stack, compared with the same on a loaded one. */
  freshReply?: LoadResult;
  /** References of ticket workflows this run started directly (SLA, load): cleaned up at the end. */
  benchOrganizations: string[];
  log(line: string): void;
}

const figure = (r: LoadResult): Figure => ({
  n: r.n,
  p50: r.p50,
  p90: r.p90,
  p99: r.p99,
  max: r.max,
  perSecond: r.perSecond,
  errors: r.errors,
  errorKinds: r.errorKinds,
});

const errorsNote = (r: LoadResult) =>
  r.errors
    ? `errors: ${Object.entries(r.errorKinds)
        .map(([k, v]) => `${k} × ${v}`)
        .join(', ')}`
    : undefined;

/** A gateway figure's rate against the engine's floor for its pattern, with its errors. */
const floorNote = (r: LoadResult, floor: LoadResult) =>
  [`${(r.perSecond / floor.perSecond).toFixed(2)} × the engine floor's rate`, errorsNote(r)].filter(Boolean).join('; ');

const fileBody = (ctx: Ctx, i: number) => ({
  requestType: 'ask-a-question',
  portal: 'retailer',
  summary: `Bench ${ctx.run} n°${i}`,
  description: `Demande du banc d'essai ${ctx.run}, numéro ${i}.`,
});

// ---- create ---------------------------------------------------------------------------------

/** Create through the gateway vs a bare start of a no-op workflow, at each concurrency. */
export async function createSection(ctx: Ctx): Promise<void> {
  const { claire, base, counts } = ctx;
  // Warm both paths (connections, caches, the first workflow tasks) before timing.
  await runLoad(4, 2, () => base.startNoop());
  await runLoad(4, 2, async (i) => {
    const res = await claire.post<{ ticket: { reference: string } }>('/tickets', fileBody(ctx, -1 - i));
    ctx.claireTickets.push(res.ticket.reference);
  });
  for (const c of counts.concurrencies) {
    ctx.log(`create: ${counts.creates} bare starts at concurrency ${c}`);
    const bare = await runLoad(counts.creates, c, () => base.startNoop());
    ctx.log(`create: ${counts.creates} bare update-with-start answered after an activity at concurrency ${c}`);
    const floor = await runLoad(counts.creates, c, () => base.startAfterActivity());
    ctx.log(`create: ${counts.creates} requests through the gateway at concurrency ${c}`);
    const ours = await runLoad(counts.creates, c, async (i) => {
      const res = await claire.post<{ ticket: { reference: string } }>('/tickets', fileBody(ctx, c * 1_000_000 + i));
      ctx.claireTickets.push(res.ticket.reference);
    });
    const ratio = ours.perSecond / bare.perSecond;
    // What bounds the target: the engine's own cost of the create's pattern, nothing inside.
    ctx.rows.push({
      section: 'create',
      name: `engine floor: update-with-start answered after a no-op activity, concurrency ${c}`,
      measured: figure(floor),
      baselineName: `bare workflow.start of a no-op workflow, concurrency ${c}`,
      baseline: figure(bare),
      ratio: floor.perSecond / bare.perSecond,
      ratioOf: 'floor/s ÷ bare starts/s (the most the create can reach)',
      note: errorsNote(floor),
    });
    ctx.rows.push({
      section: 'create',
      name: `file a request (POST /tickets), concurrency ${c}`,
      measured: figure(ours),
      baselineName: `bare workflow.start of a no-op workflow, concurrency ${c}`,
      baseline: figure(bare),
      ratio,
      ratioOf: 'requests/s ÷ bare starts/s',
      target: 'rate ≥ 0.5 × bare',
      met: ratio >= 0.5 && ours.errors === 0,
      note: floorNote(ours, floor),
    });
  }
}

// ---- actions and notification lag -----------------------------------------------------------

async function ensureTickets(ctx: Ctx, count: number): Promise<string[]> {
  while (ctx.claireTickets.length < count) {
    const res = await ctx.claire.post<{ ticket: { reference: string } }>(
      '/tickets',
      fileBody(ctx, 9_000_000 + ctx.claireTickets.length),
    );
    ctx.claireTickets.push(res.ticket.reference);
  }
  return ctx.claireTickets.slice(-Math.max(count, Math.min(ctx.claireTickets.length, 64)));
}

/** An agent's reply and a customer's comment vs a bare update; the reply's email in MailDev. */
export async function actionsSection(ctx: Ctx): Promise<void> {
  ctx.mail.start();
  try {
    await actionsAndEmails(ctx);
  } finally {
    ctx.mail.stop();
  }
}

async function actionsAndEmails(ctx: Ctx): Promise<void> {
  const { counts, base, paul, claire } = ctx;
  const c = counts.actionConcurrency;
  const pool = await ensureTickets(ctx, Math.max(2 * c, 8));
  const updatables = await base.updatables(Math.max(2 * c, 8));

  ctx.log(`actions: ${counts.actions} bare updates at concurrency ${c}`);
  const bare = await runLoad(counts.actions, c, (i) => base.update(updatables[i % updatables.length]!));
  const floors = await base.afterActivityWorkflows(Math.max(2 * c, 8));
  ctx.log(`actions: ${counts.actions} bare updates answered after an activity at concurrency ${c}`);
  const floor = await runLoad(counts.actions, c, (i) => base.updateAfterActivity(floors[i % floors.length]!));
  ctx.rows.push({
    section: 'actions',
    name: `engine floor: update answered after a no-op activity, concurrency ${c}`,
    measured: figure(floor),
    baselineName: `bare executeUpdate on a no-op workflow, concurrency ${c}`,
    baseline: figure(bare),
    ratio: floor.perSecond / bare.perSecond,
    ratioOf: 'floor/s ÷ bare updates/s (the most an action can reach)',
    note: errorsNote(floor),
  });

  ctx.log(`actions: ${counts.actions} agent replies through the gateway at concurrency ${c}`);
  const accepted = new Map<number, number>();
  const reply = await runLoad(counts.actions, c, async (i) => {
    await paul.post(`/tickets/${pool[i % pool.length]}/actions/reply`, {
      payload: { body: `Réponse du banc d'essai ${ctx.marker}-${i} : merci de patienter.` },
    });
    accepted.set(i, Date.now());
  });
  ctx.freshReply = reply;

  ctx.log(`actions: ${counts.actions} customer comments through the gateway at concurrency ${c}`);
  const comment = await runLoad(counts.actions, c, (i) =>
    claire.post(`/tickets/${pool[(i + 1) % pool.length]}/comments`, { body: `Précision n°${i} du banc d'essai.` }),
  );
  for (const [name, r] of [
    ['agent reply (POST …/actions/reply)', reply],
    ['customer comment (POST …/comments)', comment],
  ] as const) {
    const ratio = r.perSecond / bare.perSecond;
    ctx.rows.push({
      section: 'actions',
      name: `${name}, concurrency ${c}`,
      measured: figure(r),
      baselineName: `bare executeUpdate on a no-op workflow, concurrency ${c}`,
      baseline: figure(bare),
      ratio,
      ratioOf: 'actions/s ÷ bare updates/s',
      target: 'rate ≥ 0.5 × bare',
      met: ratio >= 0.5 && r.errors === 0,
      note: floorNote(r, floor),
    });
  }

  // Baseline of the lag: an email handed straight to the SMTP server, until MailDev shows it.
  const smtp = createSmtp(ctx.stack.smtpUrl);
  const bareSent = new Map<number, number>();
  const bareCount = Math.min(counts.actions, 50);
  for (let i = 0; i < bareCount; i++) {
    const n = 10_000_000 + i;
    await smtp.transport.sendMail({
      from: 'bench@woop.example',
      to: 'bench-baseline@woop.example',
      subject: `bench ${ctx.run} baseline ${i}`,
      text: `SMTP baseline ${ctx.marker}-${n}`,
    });
    bareSent.set(n, Date.now());
    await sleep(20);
  }
  smtp.transport.close();

  ctx.log(`notification lag: waiting for ${accepted.size} reply emails in MailDev`);
  await ctx.mail.waitFor([...accepted.keys(), ...bareSent.keys()], ctx.quick ? 90_000 : 180_000);
  const lagsOf = (sent: Map<number, number>) =>
    [...sent].flatMap(([n, at]) => {
      const seen = ctx.mail.seenAt(n);
      return seen === undefined ? [] : [Math.max(0, seen - at)];
    });
  const bareLag = percentiles(lagsOf(bareSent));
  const underLoad = percentiles(lagsOf(accepted));
  const missingUnderLoad = accepted.size - underLoad.n;

  // The same, one reply at a time once the notifications service has caught up with the events
  // the loads above queued (creates email the requester and the team's agents): its latency.
  const drainStart = Date.now();
  let lag = await consumerLag(ctx.stack.kafkaBrokers, ctx.stack.notificationsGroup, ctx.logger);
  ctx.log(`notification lag: the notifications service has ${lag} events to go; waiting`);
  while (lag > 0 && Date.now() - drainStart < (ctx.quick ? 180_000 : 600_000)) {
    await sleep(1_000);
    lag = await consumerLag(ctx.stack.kafkaBrokers, ctx.stack.notificationsGroup, ctx.logger);
  }
  const drainedS = (Date.now() - drainStart) / 1000;
  const single = new Map<number, number>();
  const singles = Number(process.env.BENCH_EMAILS_ONE_BY_ONE ?? (ctx.quick ? 4 : 50));
  ctx.log(`notification lag: ${singles} replies one at a time, each waiting for its email`);
  for (let k = 0; k < singles; k++) {
    const n = 20_000_000 + k;
    await paul.post(`/tickets/${pool[k % pool.length]}/actions/reply`, {
      payload: { body: `Réponse du banc d'essai ${ctx.marker}-${n}.` },
    });
    single.set(n, Date.now());
    await ctx.mail.waitFor([n], 30_000);
  }
  const idle = percentiles(lagsOf(single));
  const missingIdle = single.size - idle.n;
  const polled = `MailDev polled every 150 ms${ctx.mail.errors ? `, ${ctx.mail.errors} polls failed` : ''}`;
  ctx.rows.push({
    section: 'notifications',
    name: 'agent reply accepted → its email in MailDev, one at a time',
    measured: { ...idle, errors: missingIdle },
    baselineName: 'email sent straight to the SMTP server → visible in MailDev',
    baseline: bareLag,
    target: 'p99 ≤ 2 s, none missing',
    met: idle.p99 <= 2_000 && missingIdle === 0,
    note: `${missingIdle} of ${single.size} not seen within 30 s; ${polled}; started once the notifications consumer had caught up (${lag} events behind after ${drainedS.toFixed(0)} s)`,
  });
  ctx.rows.push({
    section: 'notifications',
    name: `agent reply accepted → its email in MailDev, during the reply load (concurrency ${c})`,
    measured: { ...underLoad, errors: missingUnderLoad },
    baselineName: 'email sent straight to the SMTP server → visible in MailDev',
    baseline: bareLag,
    target: 'p99 ≤ 2 s, none missing',
    met: underLoad.p99 <= 2_000 && missingUnderLoad === 0,
    note: `${missingUnderLoad} of ${accepted.size} not seen; includes the backlog of the creates' emails queued before them`,
  });
  const missing = missingIdle + missingUnderLoad + (bareSent.size - bareLag.n);
  if (missing > 0 && ctx.quick) throw new Error(`${missing} emails never reached MailDev`);
}

// ---- tickets started directly on the stack's task queue ------------------------------------

/** 16-digit references starting with 9, far from the service's numbering and the tests' (14 digits). */
function references(ctx: Ctx, block: number, count: number): string[] {
  const stamp = String(Math.floor(Date.now() / 1000) % 1_000_000_000).padStart(9, '0');
  return Array.from({ length: count }, (_, i) =>
    `SUPPORT-9${stamp}${String(block * 100_000 + i).padStart(6, '0')}`.slice(0, 24),
  );
}

function newTicket(reference: string, org: string, policy: SlaPolicy, i: number): NewTicket {
  return {
    reference,
    requestType: 'ask-a-question',
    organizationId: org,
    // Nobody the notifications service knows, and a team with no agents or mailbox: no emails.
    requester: { id: `${org}-requester`, name: 'Bench requester' },
    summary: `Bench ticket ${i}`,
    description: `Created by the bench directly on the worker's task queue (${org}).`,
    fields: {},
    portal: 'retailer',
    requestTypeVersion: 1,
    confidential: false,
    priority: 'medium',
    slaPolicy: policy,
    windows: lifecycleWindows({ validationDays: 5, validationReminderDays: 1, reopenDays: 10 }, policy.calendar),
    defaultTeam: 'bench-team',
  };
}

/** Starts a ticket's workflow as the tickets service does (its client), on the stack's task queue. */
async function startTicket(ctx: Ctx, ticket: NewTicket): Promise<void> {
  // A minute, not the service's 4 s: the bench starts thousands at once and measures what follows.
  await new TicketWorkflows(ctx.base.client, ctx.stack.ticketsTaskQueue, 60_000).open(ticket, { fresh: true });
  ctx.base.started.add(ticketWorkflowId(ticket.reference));
}

const PRIORITY_LIST: Priority[] = ['low', 'medium', 'high', 'critical'];

/**
 * SLA at scale: tickets whose first-response deadlines all fall within one minute, on a
 * short policy (an always-open calendar, a target of a few minutes); the delay from each
 * deadline to its `ticket.sla_breached` event, vs bare Temporal timers at the same scale.
 */
export async function slaSection(ctx: Ctx): Promise<void> {
  const { counts } = ctx;
  const n = counts.slaTickets;
  const spreadMs = counts.slaSpreadSeconds * 1000;

  // Baseline: no-op workflows sleeping until the same kind of deadlines, reporting when they woke.
  ctx.log(`SLA: ${n} bare timer workflows, deadlines spread over ${counts.slaSpreadSeconds} s`);
  const bareLead = Math.min(counts.slaLeadSeconds, 10 + n / 50) * 1000;
  const bareD0 = Date.now() + bareLead;
  const bareIds = Array.from({ length: n }, () => `bench-timer-${randomUUID()}`);
  const bareDeadlines = bareIds.map((_, i) => bareD0 + (i * spreadMs) / n);
  await forEachConcurrent(bareIds, 16, async (workflowId, i) => {
    await ctx.base.client.workflow.start('noopTimer', {
      taskQueue: ctx.base.taskQueue,
      workflowId,
      args: [bareDeadlines[i]!],
    });
    ctx.base.started.add(workflowId);
  });
  await sleep(Math.max(0, bareD0 + spreadMs + 5_000 - Date.now()));
  const bareDelays: number[] = [];
  await forEachConcurrent(bareIds, 16, async (id, i) => {
    const wokeAt = (await ctx.base.client.workflow.getHandle(id).result()) as number;
    bareDelays.push(Math.max(0, wokeAt - bareDeadlines[i]!));
  });

  const org = `bench-${ctx.run}-sla`;
  ctx.benchOrganizations.push(org);
  // Every ticket must exist before its deadline, or the figure measures the worker's creation
  // backlog: the lead is set from how fast this worker creates tickets, measured on a probe.
  const probe = references(ctx, 3, Math.max(5, Math.min(50, Math.round(n / 10))));
  ctx.events.watch(probe);
  const p0 = Date.now();
  await forEachConcurrent(probe, 16, (ref, i) =>
    startTicket(ctx, newTicket(ref, org, DEFAULT_SLA_POLICIES.standard, i)),
  );
  await ctx.events.waitFor('ticket.created', probe, 120_000);
  const rate = probe.length / Math.max(0.5, (Date.now() - p0) / 1000);
  const leadSeconds = Math.max(counts.slaLeadSeconds, Math.ceil((1.5 * n) / rate + 15));
  const refs = references(ctx, 1, n);
  ctx.events.watch(refs);
  const d0 = Date.now() + leadSeconds * 1000;
  const intended = new Map<string, number>();
  ctx.log(
    `SLA: starting ${n} tickets (this worker creates ${rate.toFixed(1)}/s), first deadline in ${leadSeconds} s, spread over ${counts.slaSpreadSeconds} s`,
  );
  await forEachConcurrent(refs, 16, async (ref, i) => {
    const deadline = d0 + (i * spreadMs) / n;
    intended.set(ref, deadline);
    const minutes = (deadline - Date.now()) / 60_000;
    const targets = Object.fromEntries(
      PRIORITY_LIST.map((p) => [p, { firstResponseMinutes: minutes, resolutionMinutes: minutes + 600 }]),
    ) as SlaPolicy['targets'];
    const policy: SlaPolicy = {
      id: 'bench-short',
      targets,
      calendar: ROUND_THE_CLOCK_CALENDAR,
      warningRatio: 0.75,
      escalationTeam: 'bench-escalation',
    };
    await startTicket(ctx, newTicket(ref, org, policy, i));
  });
  const created = await ctx.events.waitFor('ticket.created', refs, Math.max(0, d0 - Date.now()));
  const createdNote = `${created} of ${n} tickets created (event on Kafka) before the first deadline`;
  ctx.log(`SLA: ${createdNote}; waiting for the breaches`);
  const seen = await ctx.events.waitFor(
    'ticket.sla_breached',
    refs,
    Math.max(0, d0 + spreadMs - Date.now()) + (ctx.quick ? 90_000 : 180_000),
  );
  const breached = ctx.events.seen('ticket.sla_breached');
  const fired: number[] = [];
  const visible: number[] = [];
  for (const ref of refs) {
    const e = breached.get(ref);
    if (!e) continue;
    const data = e.event.data as { breachAt?: string; clock?: string };
    const deadline = data.breachAt ? Date.parse(data.breachAt) : intended.get(ref)!;
    fired.push(Math.max(0, Date.parse(e.event.time) - deadline));
    visible.push(Math.max(0, e.seenAt - deadline));
  }
  const missed = n - seen;
  const vis = percentiles(visible);
  const bare = percentiles(bareDelays);
  ctx.rows.push({
    section: 'SLA',
    name: `${n} breaches in ${counts.slaSpreadSeconds} s: deadline → ticket.sla_breached on Kafka`,
    measured: { ...vis, errors: missed },
    baselineName: `${n} bare Temporal timers, deadline → workflow woke`,
    baseline: bare,
    target: 'p99 ≤ 5 s, none missed',
    met: vis.p99 <= 5_000 && missed === 0,
    note: `${missed} missed; ${createdNote}`,
  });
  ctx.rows.push({
    section: 'SLA',
    name: 'deadline → event time (the workflow acted)',
    measured: percentiles(fired),
  });
  if (missed > 0 && ctx.quick) throw new Error(`${missed} SLA breaches never reached Kafka`);
}

/**
 * Many open tickets with running SLA timers (the default policy, on the Paris calendar): the
 * worker's memory, and an agent's reply on random ones vs the same on the fresh stack.
 */
export async function loadSection(ctx: Ctx): Promise<void> {
  const { counts } = ctx;
  const n = counts.openTickets;
  const pid = ctx.stack.workerPid();
  if (!ctx.freshReply) {
    const pool = await ensureTickets(ctx, 2 * counts.actionConcurrency);
    ctx.freshReply = await runLoad(counts.actions, counts.actionConcurrency, (i) =>
      ctx.paul.post(`/tickets/${pool[i % pool.length]}/actions/reply`, { payload: { body: `Réponse ${i}` } }),
    );
  }
  const rssFresh = rssMiB(pid);
  const org = `bench-${ctx.run}-open`;
  ctx.benchOrganizations.push(org);
  const refs = references(ctx, 2, n);
  ctx.events.watch(refs);
  ctx.log(`open tickets: starting ${n} ticket workflows (default SLA policy, timers running)`);
  const t0 = Date.now();
  await forEachConcurrent(refs, 16, (ref, i) =>
    startTicket(ctx, newTicket(ref, org, DEFAULT_SLA_POLICIES.standard, i)),
  );
  const startedS = (Date.now() - t0) / 1000;
  let lastLog = 0;
  const created = await ctx.events.waitFor('ticket.created', refs, 120_000 + n * 300, (k) => {
    if (Date.now() - lastLog > 15_000) {
      lastLog = Date.now();
      ctx.log(`open tickets: ${k} of ${n} created`);
    }
  });
  const createdS = (Date.now() - t0) / 1000;
  const rssLoaded = rssMiB(pid);
  const sample = refs.filter((r) => ctx.events.seen('ticket.created').has(r));
  ctx.log(`open tickets: ${counts.actions} agent replies on random ones of ${created}`);
  const loaded = await runLoad(counts.actions, counts.actionConcurrency, (i) =>
    ctx.paul.post(`/tickets/${sample[Math.floor(Math.random() * sample.length)]}/actions/reply`, {
      payload: { body: `Réponse ${i} sur une demande parmi ${n}.` },
    }),
  );
  const rssAfter = rssMiB(pid);
  const limit = Number(process.env.BENCH_RSS_LIMIT_MIB ?? 1024);
  const mib = (v: number | undefined) => (v === undefined ? NaN : v);
  ctx.rows.push({
    section: 'open tickets',
    name: `tickets worker RSS (MiB) with ${created} open tickets`,
    unit: 'MiB',
    measured: { n: 1, p50: mib(rssLoaded), p90: mib(rssLoaded), p99: mib(rssLoaded), max: mib(rssAfter) },
    baselineName: 'tickets worker RSS (MiB) before they were started',
    baseline: { n: 1, p50: mib(rssFresh), p90: mib(rssFresh), p99: mib(rssFresh), max: mib(rssFresh) },
    ratio: rssFresh && rssLoaded ? rssLoaded / rssFresh : undefined,
    ratioOf: 'RSS loaded ÷ RSS fresh',
    target: `reported, ≤ ${limit} MiB`,
    met: rssLoaded !== undefined && rssLoaded <= limit && created === n,
    note:
      `RSS in MiB, not ms; ${rssAfter === undefined ? 'no worker pid found' : `${rssAfter.toFixed(0)} MiB after the replies`}; ` +
      `${created} of ${n} created in ${createdS.toFixed(0)} s (started in ${startedS.toFixed(0)} s, ${(created / createdS).toFixed(1)} tickets/s)`,
  });
  const ratio = loaded.p99 / ctx.freshReply.p99;
  ctx.rows.push({
    section: 'open tickets',
    name: `agent reply on random ones of ${created} open tickets, concurrency ${counts.actionConcurrency}`,
    measured: figure(loaded),
    baselineName: 'the same reply on the fresh stack (actions section)',
    baseline: figure(ctx.freshReply),
    ratio,
    ratioOf: 'p99 loaded ÷ p99 fresh',
    target: 'p99 unchanged (≤ 1.5 × fresh)',
    met: ratio <= 1.5 && loaded.errors === 0,
    note: errorsNote(loaded),
  });
}

export type { TicketListItem };
