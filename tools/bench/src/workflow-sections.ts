import { randomUUID } from 'node:crypto';
import { ticketWorkflowId, type NewTicket, type Priority, type SlaPolicy } from '@woop/contracts';
import { TicketWorkflows } from '@woop/tickets/ticket-client';
import { DEFAULT_SLA_POLICIES, lifecycleWindows, ROUND_THE_CLOCK_CALENDAR } from '@woop/ticket-domain';
import { rssMiB } from './processes';
import { ensureTickets, errorsNote, figure, type Ctx } from './sections';
import { forEachConcurrent, percentiles, runLoad, sleep } from './stats';

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
