import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import {
  parseTicketEvent,
  SEARCH_ATTRIBUTES,
  TOPICS,
  ticketWorkflowId,
  type Actor,
  type NewTicket,
  type TicketState,
} from '@woop/contracts';
import { ReferenceTakenError, TicketActionRefusedError } from '../../services/tickets/src/api/ticket-client';
import { TICKETS_COLLECTION } from '../../services/tickets/src/model/read-model';
import { newTicket, testPolicy } from '../../packages/ticket-domain/src/testing/fixtures';
import { uniqueReference } from '../support/ids';
import { eventually } from '../support/eventually';
import { readEvents } from '../support/kafka-events';
import { startTicketHarness, type TicketHarness } from '../support/ticket-harness';

const customer: Actor = { id: 'u-claire', role: 'customer', name: 'Claire Martin' };
const agent: Actor = { id: 'a-paul', role: 'agent', name: 'Paul Agent' };

describe('ticket workflow on the Temporal dev server (workflow cache disabled)', () => {
  let h: TicketHarness;
  beforeAll(async () => {
    h = await startTicketHarness({ maxCachedWorkflows: 0 });
  });
  afterAll(() => h.close());

  const open = async (overrides: Partial<NewTicket> = {}) => {
    const ticket = newTicket({ reference: uniqueReference(), ...overrides });
    await h.tickets.open(ticket);
    return ticket.reference;
  };

  it('starts one workflow per reference: a repeated create returns the existing one', async () => {
    const ticket = newTicket({ reference: uniqueReference() });
    const first = await h.tickets.open(ticket);
    const again = await h.tickets.open(ticket);
    expect(first.workflowId).toBe(ticketWorkflowId(ticket.reference));
    expect(again.runId).toBe(first.runId);
    // A newly claimed number must be new to Temporal: never attach a request to another ticket.
    await expect(h.tickets.open(ticket, { fresh: true })).rejects.toBeInstanceOf(ReferenceTakenError);
    await expect(
      h.client.workflow.start('ticketWorkflow', {
        taskQueue: h.taskQueue,
        workflowId: first.workflowId,
        args: [{ ticket }],
      }),
    ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    const view = await h.tickets.view(ticket.reference);
    expect(view.ticket).toMatchObject({ status: 'open', version: 1, reference: ticket.reference });
    expect(view.allowed.customer).toEqual(['comment', 'share', 'attach']);
  });

  it('creates with update-with-start, answering once the read model holds the ticket', async () => {
    const ticket = newTicket({ reference: uniqueReference() });
    const readModel = () =>
      h.mongo.connection.collection(TICKETS_COLLECTION).findOne({ _id: ticket.reference as never });
    const { workflowId, view } = await h.tickets.create(ticket);
    expect(workflowId).toBe(ticketWorkflowId(ticket.reference));
    expect(view.ticket).toMatchObject({ status: 'open', version: 1, reference: ticket.reference });
    expect(await readModel()).toMatchObject({ status: 'open', version: 1 });
    // A retried create joins the same workflow and answers the same; a fresh number must be new.
    expect((await h.tickets.create(ticket)).view.ticket.createdAt).toBe(view.ticket.createdAt);
    await expect(h.tickets.create(ticket, { fresh: true })).rejects.toBeInstanceOf(ReferenceTakenError);
    // Concurrent actions each answer once the read model holds their version.
    const views = await Promise.all(
      ['a', 'b', 'c'].map((body) => h.tickets.act(ticket.reference, 'comment', { actor: customer, payload: { body } })),
    );
    const projected = (await readModel())!.version as number;
    for (const v of views) expect(projected).toBeGreaterThanOrEqual(v.ticket.version);
    expect(projected).toBe(4);
    // The explicit wait answers with the current version.
    expect((await h.tickets.awaitProjection(ticket.reference)).ticket.version).toBe(4);
  });

  it('takes every transition for the role that owns it and answers with the new state', async () => {
    const ref = await open();
    const step = async (actor: Actor, action: Parameters<typeof h.tickets.act>[1], payload: object) =>
      (await h.tickets.act(ref, action, { actor, payload })).ticket;

    expect(
      await step(agent, 'qualify', { priority: 'high', billable: true, assignment: { agentId: 'a-paul' } }),
    ).toMatchObject({
      status: 'assigned',
      priority: 'high',
      billable: true,
      assignment: { agentId: 'a-paul', team: 'support' },
    });
    expect((await step(agent, 'start', {})).status).toBe('in_progress');
    expect((await step(agent, 'requestInformation', { question: 'Numéro de commande ?' })).status).toBe(
      'waiting_for_customer',
    );
    expect((await step(customer, 'provideInformation', { body: 'CMD-42' })).status).toBe('in_progress');
    expect((await step(agent, 'addInternalNote', { body: 'client important' })).status).toBe('in_progress');
    expect((await step(agent, 'resolve', { answer: 'Livrée.' })).status).toBe('resolved');
    expect((await step(customer, 'rejectResolution', { reason: 'Non reçue' })).status).toBe('in_progress');
    expect((await step(agent, 'resolve', { answer: 'Relivrée.' })).status).toBe('resolved');
    expect((await step(customer, 'acceptResolution', {})).status).toBe('done');
    expect((await step(customer, 'reopen', { reason: 'Colis abîmé' })).status).toBe('in_progress');
    expect((await step(agent, 'reject', { reason: 'Voir le transporteur' })).status).toBe('rejected');
    expect((await step(customer, 'contestRejection', { reason: 'C’est votre transporteur' })).status).toBe('open');
    expect((await step(agent, 'reject', { reason: 'Confirmé' })).status).toBe('rejected');
    const closed = await step(customer, 'acceptRejection', {});
    expect(closed).toMatchObject({ status: 'closed', version: 15 });
    const handle = h.client.workflow.getHandle(ticketWorkflowId(ref));
    const result: TicketState = await handle.result();
    expect(result.status).toBe('closed');
    expect(result.activity.filter((e) => e.kind === 'status_changed').map((e) => e.to)).toEqual([
      'assigned',
      'in_progress',
      'waiting_for_customer',
      'in_progress',
      'resolved',
      'in_progress',
      'resolved',
      'done',
      'in_progress',
      'rejected',
      'open',
      'rejected',
      'closed',
    ]);
  });

  it('refuses what the status or the role does not allow, with a typed error and no trace in history', async () => {
    const ref = await open();
    const refused = async (actor: Actor, action: Parameters<typeof h.tickets.act>[1], payload: object) => {
      const err = await h.tickets.act(ref, action, { actor, payload }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TicketActionRefusedError);
      return (err as TicketActionRefusedError).refusal;
    };
    expect(await refused(customer, 'qualify', { priority: 'low', billable: false })).toMatchObject({
      code: 'role_not_allowed',
      action: 'qualify',
      status: 'open',
      role: 'customer',
      allowed: ['comment', 'share', 'attach'],
    });
    expect(await refused(agent, 'start', {})).toMatchObject({
      code: 'action_not_allowed_in_status',
      status: 'open',
      allowed: [
        'qualify',
        'requestInformation',
        'reply',
        'addInternalNote',
        'changePriority',
        'reject',
        'share',
        'attach',
      ],
    });
    expect(await refused(agent, 'reject', { reason: '' })).toMatchObject({ code: 'invalid_payload' });
    await h.tickets.act(ref, 'comment', { actor: customer, payload: { body: 'Bonjour' } });

    const history = await h.client.workflow.getHandle(ticketWorkflowId(ref)).fetchHistory();
    const accepted = history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
    expect(accepted).toHaveLength(1); // only the comment
    expect((await h.tickets.view(ref)).ticket.version).toBe(2);
  });

  it('acts once for a repeated update id', async () => {
    const ref = await open();
    const request = { actor: customer, payload: { body: 'Une seule fois' } };
    const a = await h.tickets.act(ref, 'comment', request, 'idem-1');
    const b = await h.tickets.act(ref, 'comment', request, 'idem-1');
    expect(b.ticket.version).toBe(a.ticket.version);
    expect((await h.tickets.view(ref)).ticket.activity.filter((e) => e.kind === 'comment')).toHaveLength(1);
  });

  it('projects the read model and publishes ticket.* events with deterministic ids', async () => {
    const ref = await open({ confidential: true, defaultTeam: 'security' });
    await h.tickets.act(ref, 'qualify', {
      actor: agent,
      payload: { priority: 'low', billable: false, assignment: { agentId: 'a-sec' } },
    });
    const view = await h.tickets.act(ref, 'reply', { actor: agent, payload: { body: 'Nous analysons la faille.' } });

    // The update answered once its version was projected.
    const doc = await h.mongo.connection.collection(TICKETS_COLLECTION).findOne({ _id: ref as never });
    expect(doc?.version).toBe(view.ticket.version);
    expect(doc).toMatchObject({
      status: 'assigned',
      confidential: true,
      assignment: { agentId: 'a-sec', team: 'security' },
    });

    const events = await readEvents(
      h.kafka,
      TOPICS.tickets.name,
      (e) => e.subject === ref,
      (es) => es.some((e) => e.type === 'ticket.replied'),
    );
    // One event per action, each as the contract describes it.
    expect(events.map((e) => parseTicketEvent(e).id)).toEqual([
      `${ref}:1:0:ticket.created`,
      `${ref}:2:0:ticket.qualified`,
      `${ref}:3:0:ticket.replied`,
    ]);
    expect(events[1]).toMatchObject({
      dataversion: 2,
      data: {
        priorityChange: { from: 'medium', to: 'low' },
        assignment: { agentId: 'a-sec', team: 'security' },
        statusChange: { from: 'open', to: 'assigned' },
        actor: agent,
        ticket: { confidential: true, status: 'assigned' },
      },
    });
  });

  it('keeps the search attributes current for operators', async () => {
    const ref = await open();
    await h.tickets.act(ref, 'qualify', {
      actor: agent,
      payload: { priority: 'critical', billable: false, assignment: { agentId: 'a-paul' } },
    });
    const handle = h.client.workflow.getHandle(ticketWorkflowId(ref));
    const attrs = await eventually(
      async () => (await handle.describe()).typedSearchAttributes,
      (sa) => sa.get(SEARCH_ATTRIBUTES.status) === 'assigned',
    );
    expect(attrs.get(SEARCH_ATTRIBUTES.reference)).toBe(ref);
    expect(attrs.get(SEARCH_ATTRIBUTES.priority)).toBe('critical');
    expect(attrs.get(SEARCH_ATTRIBUTES.assignee)).toBe('a-paul');
    expect(attrs.get(SEARCH_ATTRIBUTES.assignedTeam)).toBe('support');
    expect(attrs.get(SEARCH_ATTRIBUTES.slaBreached)).toBe(false);
    const listed = await eventually(
      async () => {
        const found: string[] = [];
        for await (const wf of h.client.workflow.list({
          query: `TicketReference = '${ref}' AND TicketStatus = 'assigned'`,
        })) {
          found.push(wf.workflowId);
        }
        return found;
      },
      (ids) => ids.length === 1,
    );
    expect(listed).toEqual([ticketWorkflowId(ref)]);
  });
});

describe('ticket workflow timers on the dev server, with short injected targets', () => {
  let h: TicketHarness;
  beforeAll(async () => {
    h = await startTicketHarness();
  });
  afterAll(() => h.close());

  // Seconds instead of hours: 0.05 business minute = 3 s on the round-the-clock test calendar.
  const fast = testPolicy({
    targets: {
      low: { firstResponseMinutes: 1, resolutionMinutes: 10 },
      medium: { firstResponseMinutes: 0.05, resolutionMinutes: 10 },
      high: { firstResponseMinutes: 1, resolutionMinutes: 0.1 },
      critical: { firstResponseMinutes: 1, resolutionMinutes: 10 },
    },
  });

  it('warns at 75 % and escalates on breach: priority up, escalation team, SlaBreached', async () => {
    const ref = uniqueReference();
    await h.tickets.open(newTicket({ reference: ref, slaPolicy: fast }));
    const view = await eventually(
      () => h.tickets.view(ref),
      (v) => v.ticket.sla.resolution.breachedAt !== undefined,
      30_000,
    );
    // First response breached after 3 s → high, whose 6 s resolution target is then breached → critical.
    expect(view.ticket).toMatchObject({ priority: 'critical', escalated: true, escalationTeams: ['support-leads'] });
    expect(view.ticket.sla.firstResponse.warnedAt).toBeDefined();
    const warned = Date.parse(view.ticket.sla.firstResponse.warnedAt!);
    const breached = Date.parse(view.ticket.sla.firstResponse.breachedAt!);
    const created = Date.parse(view.ticket.createdAt);
    expect(warned - created).toBeGreaterThanOrEqual(2_250);
    expect(breached - created).toBeGreaterThanOrEqual(3_000);
    const events = await readEvents(
      h.kafka,
      TOPICS.tickets.name,
      (e) => e.subject === ref && e.type.startsWith('ticket.sla_'),
      (es) => es.length >= 4,
    );
    // The resolution clock, retargeted to high's 6 s after the first escalation, warns at 4.5 s.
    expect(events.map((e) => `${e.type}:${String(e.data.clock)}`)).toEqual([
      'ticket.sla_warning:firstResponse',
      'ticket.sla_breached:firstResponse',
      'ticket.sla_warning:resolution',
      'ticket.sla_breached:resolution',
    ]);
    const attrs = (await h.client.workflow.getHandle(ticketWorkflowId(ref)).describe()).typedSearchAttributes;
    expect(attrs.get(SEARCH_ATTRIBUTES.slaBreached)).toBe(true);
  });

  it('pauses the clocks while waiting for the customer', async () => {
    const ref = uniqueReference();
    await h.tickets.open(newTicket({ reference: ref, slaPolicy: fast }));
    await h.tickets.act(ref, 'requestInformation', { actor: agent, payload: { question: 'Numéro ?' } });
    await new Promise((r) => setTimeout(r, 4_000));
    const view = await h.tickets.view(ref);
    expect(view.ticket.status).toBe('waiting_for_customer');
    expect(view.ticket.sla.firstResponse.breachedAt).toBeUndefined();
    expect(view.ticket.sla.resolution.runningSince).toBeUndefined();
    expect(view.ticket.sla.resolution.breachedAt).toBeUndefined();
    expect(view.ticket.escalated).toBe(false);
  });

  it('validates automatically, then closes when the reopen window elapses, and completes', async () => {
    const ref = uniqueReference();
    await h.tickets.open(
      newTicket({
        reference: ref,
        windows: { validationMinutes: 0.05, validationReminderMinutes: 0.02, reopenMinutes: 0.05 },
      }),
    );
    await h.tickets.act(ref, 'qualify', {
      actor: agent,
      payload: { priority: 'medium', billable: false, assignment: { agentId: 'a-paul' } },
    });
    await h.tickets.act(ref, 'start', { actor: agent, payload: {} });
    await h.tickets.act(ref, 'resolve', { actor: agent, payload: { answer: 'Fait.' } });
    const result: TicketState = await h.client.workflow.getHandle(ticketWorkflowId(ref)).result();
    expect(result.status).toBe('closed');
    const tail = result.activity.slice(-3);
    expect(tail.map((e) => [e.kind, e.actor.role, e.to])).toEqual([
      ['validation_reminder', 'system', undefined],
      ['status_changed', 'system', 'done'],
      ['status_changed', 'system', 'closed'],
    ]);
    expect(result.sla.resolution.metAt).toBeDefined();
  });
});
