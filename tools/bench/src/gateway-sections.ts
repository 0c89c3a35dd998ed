import { createSmtp } from '@woop/service-kit';
import { ensureTickets, errorsNote, figure, fileBody, floorNote, localFloorRow, type Ctx } from './sections';
import { percentiles, runLoad, sleep } from './stats';
import { consumerLag } from './watchers';

/** The sections through the gateway: filing requests, and actions with the emails they make. */

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
    ctx.log(`create: ${counts.creates} bare update-with-start answered after a local activity at concurrency ${c}`);
    const localFloor = await runLoad(counts.creates, c, () => base.startAfterLocalActivity());
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
    ctx.rows.push(
      localFloorRow(
        'create',
        `engine floor, local projection: update-with-start answered after a no-op local activity, concurrency ${c}`,
        localFloor,
        floor,
        `engine floor with an activity, concurrency ${c}`,
      ),
    );
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
      note: floorNote(ours, floor, localFloor),
    });
  }
}

// ---- actions and notification lag -----------------------------------------------------------

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
  const localFloors = await base.afterLocalActivityWorkflows(Math.max(2 * c, 8));
  ctx.log(`actions: ${counts.actions} bare updates answered after a local activity at concurrency ${c}`);
  const localFloor = await runLoad(counts.actions, c, (i) =>
    base.updateAfterLocalActivity(localFloors[i % localFloors.length]!),
  );
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
  ctx.rows.push(
    localFloorRow(
      'actions',
      `engine floor, local projection: update answered after a no-op local activity, concurrency ${c}`,
      localFloor,
      floor,
      `engine floor with an activity, concurrency ${c}`,
    ),
  );

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
      note: floorNote(r, floor, localFloor),
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
