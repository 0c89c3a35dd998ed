import type {
  Actor,
  NewTicket,
  TicketActionName,
  TicketActionPayloads,
  TicketChange,
  TicketState,
} from '@woop/contracts/workflow';
import { assign, comment, meetFirstResponse, moveTo, record, setPriority, touch } from './changes';
import { syncClocks } from './sla';
import { closureOf } from './csat';

/**
 * What each action changes, and the one event that says what happened (the contract's
 * `ticket.*` events, `packages/contracts/src/tickets/events.ts`). Whether the action is allowed
 * is `rules.ts`'s to say, before.
 */

/** The ticket as it starts: OUVERT, both SLA clocks running from `now`. */
export function createTicket(input: NewTicket, now: Date): { state: TicketState; changes: TicketChange[] } {
  const target = input.slaPolicy.targets[input.priority];
  const at = now.toISOString();
  const state: TicketState = {
    reference: input.reference,
    requestType: input.requestType,
    organizationId: input.organizationId,
    requester: input.requester,
    summary: input.summary,
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.fields !== undefined ? { fields: input.fields } : {}),
    ...(input.portal !== undefined ? { portal: input.portal } : {}),
    ...(input.requestTypeVersion !== undefined ? { requestTypeVersion: input.requestTypeVersion } : {}),
    confidential: input.confidential,
    status: 'open',
    priority: input.priority,
    qualified: false,
    billable: false,
    assignment: { team: input.defaultTeam },
    escalated: false,
    escalationTeams: [],
    createdAt: at,
    updatedAt: at,
    version: 1,
    sla: {
      firstResponse: { targetMinutes: target.firstResponseMinutes, consumedMinutes: 0 },
      resolution: { targetMinutes: target.resolutionMinutes, consumedMinutes: 0 },
    },
    slaPolicy: input.slaPolicy,
    windows: input.windows,
    activity: [],
  };
  const actor: Actor = { id: input.requester.id, role: 'customer', name: input.requester.name };
  record(state, now, actor, {
    kind: 'created',
    visibility: 'public',
    to: 'open',
    // Opened from an email to the support address (absent: the portal, as every recorded history).
    ...(input.channel ? { data: { channel: input.channel } } : {}),
  });
  syncClocks(state, now);
  // The first answer's due time, for the "demande reçue" email (it promises it to the customer).
  const firstResponseDueAt = state.sla.firstResponse.breachAt;
  return {
    state,
    changes: [{ type: 'ticket.created', data: { actor, ...(firstResponseDueAt ? { firstResponseDueAt } : {}) } }],
  };
}

interface ActionContext {
  state: TicketState;
  actor: Actor;
  now: Date;
}

type ActionHandler<A extends TicketActionName> = (
  ctx: ActionContext,
  payload: TicketActionPayloads[A],
) => TicketChange | undefined;

/** What each action changes, given that `refusal` found nothing against it; its event, if anything changed. */
const HANDLERS: { [A in TicketActionName]: ActionHandler<A> } = {
  qualify: ({ state, actor, now }, q) => {
    state.qualified = true;
    state.billable = q.billable;
    const fromType = state.requestType;
    if (q.requestType) state.requestType = q.requestType;
    record(state, now, actor, {
      kind: 'qualified',
      visibility: 'public',
      data: { priority: q.priority, billable: q.billable, requestType: state.requestType },
    });
    const priorityChange = setPriority(state, now, actor, q.priority);
    const assignment = q.assignment ? assign(state, now, actor, q.assignment) : undefined;
    const statusChange = q.assignment ? moveTo(state, 'assigned', now, actor) : undefined;
    return {
      type: 'ticket.qualified',
      data: {
        priority: q.priority,
        billable: q.billable,
        requestType: state.requestType,
        fromType,
        ...(priorityChange ? { priorityChange } : {}),
        ...(assignment ? { assignment } : {}),
        ...(statusChange ? { statusChange } : {}),
        actor,
      },
    };
  },
  assign: ({ state, actor, now }, a) => {
    const assignment = assign(state, now, actor, a);
    const statusChange = state.status === 'open' ? moveTo(state, 'assigned', now, actor) : undefined;
    return { type: 'ticket.assigned', data: { assignment, ...(statusChange ? { statusChange } : {}), actor } };
  },
  start: ({ state, actor, now }) => ({
    type: 'ticket.started',
    data: { statusChange: moveTo(state, 'in_progress', now, actor), actor },
  }),
  requestInformation: ({ state, actor, now }, { question }) => {
    meetFirstResponse(state, now);
    state.statusBeforeWaiting = state.status;
    comment(state, now, actor, question, 'public');
    const statusChange = moveTo(state, 'waiting_for_customer', now, actor);
    return { type: 'ticket.information_requested', data: { question, statusChange, actor } };
  },
  reply: ({ state, actor, now }, { body, channel }) => {
    meetFirstResponse(state, now);
    comment(state, now, actor, body, 'public', channel);
    return { type: 'ticket.replied', data: { body, actor } };
  },
  addInternalNote: ({ state, actor, now }, { body }) => {
    comment(state, now, actor, body, 'internal');
    return { type: 'ticket.internal_note_added', data: { body, actor } };
  },
  changePriority: ({ state, actor, now }, { priority, reason }) => {
    const change = setPriority(state, now, actor, priority, reason);
    if (!change) return undefined;
    return { type: 'ticket.priority_changed', data: { ...change, ...(reason ? { reason } : {}), actor } };
  },
  resolve: ({ state, actor, now }, { answer }) => {
    meetFirstResponse(state, now);
    state.resolution = { answer, at: now.toISOString(), by: actor };
    comment(state, now, actor, answer, 'public');
    const statusChange = moveTo(state, 'resolved', now, actor);
    return {
      type: 'ticket.resolved',
      data: { answer, validationDueAt: state.validationDueAt!, statusChange, actor },
    };
  },
  reject: ({ state, actor, now }, { reason }) => {
    meetFirstResponse(state, now);
    state.rejection = { reason, at: now.toISOString(), by: actor };
    return {
      type: 'ticket.rejected',
      data: { reason, statusChange: moveTo(state, 'rejected', now, actor, reason), actor },
    };
  },
  provideInformation: ({ state, actor, now }, { body, channel }) => {
    const back = state.statusBeforeWaiting ?? 'open';
    delete state.statusBeforeWaiting;
    comment(state, now, actor, body, 'public', channel);
    return {
      type: 'ticket.information_provided',
      data: { body, statusChange: moveTo(state, back, now, actor), actor },
    };
  },
  comment: ({ state, actor, now }, { body, channel }) => {
    comment(state, now, actor, body, 'public', channel);
    return { type: 'ticket.commented', data: { body, actor } };
  },
  acceptResolution: ({ state, actor, now }) => {
    state.sla.resolution.metAt = now.toISOString();
    return { type: 'ticket.resolution_accepted', data: { statusChange: moveTo(state, 'done', now, actor), actor } };
  },
  rejectResolution: ({ state, actor, now }, { reason }) => {
    delete state.resolution;
    const statusChange = moveTo(state, 'in_progress', now, actor, reason);
    return { type: 'ticket.resolution_rejected', data: { reason, statusChange, actor } };
  },
  acceptRejection: ({ state, actor, now }) => ({
    type: 'ticket.rejection_accepted',
    data: { statusChange: moveTo(state, 'closed', now, actor), actor },
  }),
  contestRejection: ({ state, actor, now }, { reason }) => {
    delete state.rejection;
    state.qualified = false;
    const statusChange = moveTo(state, 'open', now, actor, reason);
    return { type: 'ticket.rejection_contested', data: { reason, statusChange, actor } };
  },
  reopen: ({ state, actor, now }, { reason }) => {
    delete state.sla.resolution.metAt;
    const statusChange = moveTo(state, 'in_progress', now, actor, reason);
    return { type: 'ticket.reopened', data: { reason, statusChange, actor } };
  },
  rate: ({ state, actor, now }, { score, comment }) => {
    const closure = closureOf(state);
    state.csat = { score, ...(comment ? { comment } : {}), at: now.toISOString(), by: actor, closure };
    record(state, now, actor, {
      kind: 'rated',
      visibility: 'public',
      data: { score, closure },
      ...(comment ? { body: comment } : {}),
    });
    return { type: 'ticket.rated', data: { score, ...(comment ? { comment } : {}), closure, actor } };
  },
  share: ({ state, actor, now }, { people }) => {
    const known = new Set([state.requester.id, ...(state.sharedWith ?? []).map((p) => p.id)]);
    const added = people.filter((p) => !known.has(p.id) && known.add(p.id)).map((p) => ({ id: p.id, name: p.name }));
    if (added.length === 0) return undefined;
    state.sharedWith = [...(state.sharedWith ?? []), ...added];
    record(state, now, actor, { kind: 'shared', visibility: 'public', people: added });
    return { type: 'ticket.shared', data: { people: added, actor } };
  },
  attach: ({ state, actor, now }, { attachmentId, filename, contentType, size }) => {
    const file = { attachmentId, filename, contentType, size };
    record(state, now, actor, { kind: 'attachment', visibility: 'public', data: file });
    return { type: 'ticket.attachment_added', data: { ...file, actor } };
  },
  unshare: ({ state, actor, now }, { userId }) => {
    const removed = (state.sharedWith ?? []).filter((p) => p.id === userId);
    if (removed.length === 0) return undefined;
    state.sharedWith = (state.sharedWith ?? []).filter((p) => p.id !== userId);
    record(state, now, actor, { kind: 'unshared', visibility: 'public', people: removed });
    return { type: 'ticket.unshared', data: { people: removed, actor } };
  },
};

/**
 * Applies an action already checked by `refusal`: mutates the state (activity, clocks,
 * version) and returns its event (none when nothing changed: a priority set to what it was,
 * people already shared with).
 */
export function applyAction<A extends TicketActionName>(
  state: TicketState,
  actor: Actor,
  action: A,
  payload: TicketActionPayloads[A],
  now: Date,
): TicketChange[] {
  const handler = HANDLERS[action] as ActionHandler<A>;
  const change = handler({ state, actor, now }, payload);
  touch(state, now);
  return change ? [change] : [];
}
