import {
  ACTION_ROLES,
  PRIORITIES,
  SYSTEM_ACTOR,
  TICKET_ACTIONS,
  TICKET_STATUSES,
  ticketPayloadProblem,
  type ActionRefusal,
  type ActivityEntry,
  type Actor,
  type NewTicket,
  type Role,
  type SlaClockName,
  type TicketActionName,
  type TicketActionPayloads,
  type TicketState,
  type TicketStatus,
} from '@woop/contracts';
import { addBusinessMinutes } from '../sla/calendar';
import { CLOCKS, retarget, syncClocks } from './sla';

/**
 * The ticket lifecycle as pure functions over the ticket state: which action is allowed in
 * which status for which role, what each action changes, and what falls due with time. The
 * workflow holds the state and calls these; the unit tests call them directly.
 */

/** A change worth an event on Kafka (`ticket.<type>`); ids are made by the workflow. */
export interface TicketChange {
  type: string;
  data: Record<string, unknown>;
}

const NOT_CLOSED: readonly TicketStatus[] = TICKET_STATUSES.filter((s) => s !== 'closed');

/** Statuses in which each action may be taken. */
const ACTION_STATUSES: Record<TicketActionName, readonly TicketStatus[]> = {
  qualify: ['open'],
  assign: ['open', 'assigned', 'in_progress'],
  start: ['assigned'],
  requestInformation: ['open', 'in_progress'],
  reply: NOT_CLOSED,
  addInternalNote: NOT_CLOSED,
  changePriority: ['open', 'assigned', 'in_progress', 'waiting_for_customer'],
  resolve: ['in_progress'],
  reject: ['open', 'in_progress'],
  provideInformation: ['waiting_for_customer'],
  comment: NOT_CLOSED,
  acceptResolution: ['resolved'],
  rejectResolution: ['resolved'],
  acceptRejection: ['rejected'],
  contestRejection: ['rejected'],
  reopen: ['done'],
  share: NOT_CLOSED,
  unshare: NOT_CLOSED,
  attach: NOT_CLOSED,
};

function isAllowedNow(state: TicketState, action: TicketActionName): boolean {
  if (!ACTION_STATUSES[action].includes(state.status)) return false;
  // An unqualified ticket is qualified (which may assign it) before it is assigned.
  if (action === 'assign' && state.status === 'open' && !state.qualified) return false;
  // Confidential requests stay between their reporter and the team: never shared.
  if ((action === 'share' || action === 'unshare') && state.confidential) return false;
  if (action === 'unshare' && (state.sharedWith ?? []).length === 0) return false;
  return true;
}

/** The actions `role` may take in the ticket's current status. */
export function allowedActions(state: TicketState, role: Role): TicketActionName[] {
  return TICKET_ACTIONS.filter((a) => ACTION_ROLES[a].includes(role) && isAllowedNow(state, a));
}

export function allowedByRole(state: TicketState): Record<Role, TicketActionName[]> {
  return {
    customer: allowedActions(state, 'customer'),
    agent: allowedActions(state, 'agent'),
    admin: allowedActions(state, 'admin'),
  };
}

/** Why `actor` may not take `action` now, or undefined when they may. Changes nothing. */
export function refusal(
  state: TicketState,
  actor: Actor,
  action: TicketActionName,
  payload: unknown,
): ActionRefusal | undefined {
  const role = actor.role;
  const allowed = role === 'system' ? [] : allowedActions(state, role);
  const base = { action, status: state.status, role, allowed };
  if (role === 'system' || !ACTION_ROLES[action]?.includes(role)) {
    return { ...base, code: 'role_not_allowed', message: `A ${role} may not ${action} a ticket.` };
  }
  if (!isAllowedNow(state, action)) {
    const why = action === 'assign' && state.status === 'open' ? ' before it is qualified' : '';
    return {
      ...base,
      code: 'action_not_allowed_in_status',
      message: `${action} is not possible while the ticket is ${state.status}${why}; allowed now: ${allowed.join(', ') || 'nothing'}.`,
    };
  }
  const problem = ticketPayloadProblem(action, payload);
  if (problem) return { ...base, code: 'invalid_payload', message: problem };
  return undefined;
}

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
  record(state, now, actor, { kind: 'created', visibility: 'public', to: 'open' });
  syncClocks(state, now);
  return { state, changes: [{ type: 'created', data: {} }] };
}

function record(state: TicketState, now: Date, actor: Actor, entry: Omit<ActivityEntry, 'seq' | 'at' | 'actor'>): void {
  state.activity.push({ seq: state.activity.length + 1, at: now.toISOString(), actor, ...entry });
}

/**
 * Moves the ticket to `to`, with its windows, clocks, activity entry and change. Leaving
 * RÉSOLU clears the validation window; entering it opens one; TERMINÉ opens the reopen window.
 */
function moveTo(state: TicketState, to: TicketStatus, now: Date, actor: Actor, reason?: string): TicketChange {
  const from = state.status;
  state.status = to;
  const cal = state.slaPolicy.calendar;
  delete state.validationDueAt;
  delete state.validationReminderAt;
  delete state.validationRemindedAt;
  delete state.reopenUntil;
  if (to === 'resolved') {
    const { validationMinutes, validationReminderMinutes } = state.windows;
    state.validationDueAt = addBusinessMinutes(cal, now, validationMinutes).toISOString();
    if (validationReminderMinutes > 0 && validationReminderMinutes < validationMinutes) {
      state.validationReminderAt = addBusinessMinutes(
        cal,
        now,
        validationMinutes - validationReminderMinutes,
      ).toISOString();
    }
  }
  if (to === 'done') state.reopenUntil = addBusinessMinutes(cal, now, state.windows.reopenMinutes).toISOString();
  record(state, now, actor, { kind: 'status_changed', visibility: 'public', from, to, ...(reason ? { reason } : {}) });
  return { type: 'status_changed', data: { from, to, ...(reason ? { reason } : {}) } };
}

function meetFirstResponse(state: TicketState, now: Date): void {
  state.sla.firstResponse.metAt ??= now.toISOString();
}

/**
 * A comment in the activity. `via`: the action it is part of. An answer and a question have an
 * event of their own that says it already; the information a customer provides does not, and
 * `via` tells it from a plain comment (agents get an email of its own for it).
 */
function comment(
  state: TicketState,
  now: Date,
  actor: Actor,
  body: string,
  visibility: 'public' | 'internal',
  via?: TicketActionName,
): TicketChange {
  record(state, now, actor, { kind: visibility === 'public' ? 'comment' : 'internal_note', visibility, body });
  const author = { id: actor.id, name: actor.name, role: actor.role };
  return {
    type: visibility === 'public' ? 'comment_added' : 'internal_note_added',
    data: { body, visibility, author, ...(via ? { via } : {}) },
  };
}

function setPriority(
  state: TicketState,
  now: Date,
  actor: Actor,
  priority: TicketState['priority'],
  reason?: string,
): TicketChange[] {
  const from = state.priority;
  if (from === priority) return [];
  state.priority = priority;
  retarget(state);
  record(state, now, actor, {
    kind: 'priority_changed',
    visibility: 'internal',
    data: { from, to: priority },
    ...(reason ? { reason } : {}),
  });
  return [{ type: 'priority_changed', data: { from, to: priority } }];
}

function assign(
  state: TicketState,
  now: Date,
  actor: Actor,
  assignment: { agentId?: string; team?: string },
): TicketChange {
  state.assignment = {
    ...(assignment.agentId ? { agentId: assignment.agentId } : {}),
    team: assignment.team ?? state.assignment.team,
  };
  const data = { ...state.assignment } as Record<string, string>;
  record(state, now, actor, { kind: 'assigned', visibility: 'internal', data });
  return { type: 'assigned', data };
}

interface ActionContext {
  state: TicketState;
  actor: Actor;
  now: Date;
}

type ActionHandler<A extends TicketActionName> = (
  ctx: ActionContext,
  payload: TicketActionPayloads[A],
) => TicketChange[];

/** What each action changes, given that `refusal` found nothing against it. */
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
    const changes: TicketChange[] = [
      { type: 'qualified', data: { billable: q.billable, requestType: state.requestType, fromType } },
    ];
    changes.push(...setPriority(state, now, actor, q.priority));
    if (q.assignment) {
      changes.push(assign(state, now, actor, q.assignment), moveTo(state, 'assigned', now, actor));
    }
    return changes;
  },
  assign: ({ state, actor, now }, a) => {
    const changes: TicketChange[] = [assign(state, now, actor, a)];
    if (state.status === 'open') changes.push(moveTo(state, 'assigned', now, actor));
    return changes;
  },
  start: ({ state, actor, now }) => [moveTo(state, 'in_progress', now, actor)],
  requestInformation: ({ state, actor, now }, { question }) => {
    meetFirstResponse(state, now);
    state.statusBeforeWaiting = state.status;
    return [
      comment(state, now, actor, question, 'public', 'requestInformation'),
      moveTo(state, 'waiting_for_customer', now, actor),
      { type: 'information_requested', data: { question } },
    ];
  },
  reply: ({ state, actor, now }, { body }) => {
    meetFirstResponse(state, now);
    return [comment(state, now, actor, body, 'public')];
  },
  addInternalNote: ({ state, actor, now }, { body }) => [comment(state, now, actor, body, 'internal')],
  changePriority: ({ state, actor, now }, { priority, reason }) => setPriority(state, now, actor, priority, reason),
  resolve: ({ state, actor, now }, { answer }) => {
    meetFirstResponse(state, now);
    state.resolution = { answer, at: now.toISOString(), by: actor };
    return [
      comment(state, now, actor, answer, 'public', 'resolve'),
      moveTo(state, 'resolved', now, actor),
      { type: 'resolved', data: { answer, validationDueAt: state.validationDueAt } },
    ];
  },
  reject: ({ state, actor, now }, { reason }) => {
    meetFirstResponse(state, now);
    state.rejection = { reason, at: now.toISOString(), by: actor };
    return [moveTo(state, 'rejected', now, actor, reason)];
  },
  provideInformation: ({ state, actor, now }, { body }) => {
    const back = state.statusBeforeWaiting ?? 'open';
    delete state.statusBeforeWaiting;
    return [comment(state, now, actor, body, 'public', 'provideInformation'), moveTo(state, back, now, actor)];
  },
  comment: ({ state, actor, now }, { body }) => [comment(state, now, actor, body, 'public')],
  acceptResolution: ({ state, actor, now }) => {
    state.sla.resolution.metAt = now.toISOString();
    return [moveTo(state, 'done', now, actor)];
  },
  rejectResolution: ({ state, actor, now }, { reason }) => {
    delete state.resolution;
    return [moveTo(state, 'in_progress', now, actor, reason)];
  },
  acceptRejection: ({ state, actor, now }) => [moveTo(state, 'closed', now, actor)],
  contestRejection: ({ state, actor, now }, { reason }) => {
    delete state.rejection;
    state.qualified = false;
    return [moveTo(state, 'open', now, actor, reason)];
  },
  reopen: ({ state, actor, now }, { reason }) => {
    delete state.sla.resolution.metAt;
    return [moveTo(state, 'in_progress', now, actor, reason)];
  },
  share: ({ state, actor, now }, { people }) => {
    const known = new Set([state.requester.id, ...(state.sharedWith ?? []).map((p) => p.id)]);
    const added = people.filter((p) => !known.has(p.id) && known.add(p.id)).map((p) => ({ id: p.id, name: p.name }));
    if (added.length === 0) return [];
    state.sharedWith = [...(state.sharedWith ?? []), ...added];
    record(state, now, actor, { kind: 'shared', visibility: 'public', people: added });
    return [{ type: 'shared', data: { people: added, by: { id: actor.id, name: actor.name } } }];
  },
  attach: ({ state, actor, now }, { attachmentId, filename, contentType, size }) => {
    const data = { attachmentId, filename, contentType, size };
    record(state, now, actor, { kind: 'attachment', visibility: 'public', data });
    return [{ type: 'attachment_added', data: { ...data, by: { id: actor.id, name: actor.name } } }];
  },
  unshare: ({ state, actor, now }, { userId }) => {
    const removed = (state.sharedWith ?? []).filter((p) => p.id === userId);
    if (removed.length === 0) return [];
    state.sharedWith = (state.sharedWith ?? []).filter((p) => p.id !== userId);
    record(state, now, actor, { kind: 'unshared', visibility: 'public', people: removed });
    return [{ type: 'unshared', data: { people: removed, by: { id: actor.id, name: actor.name } } }];
  },
};

/**
 * Applies an action already checked by `refusal`: mutates the state (activity, clocks,
 * version) and returns the changes to publish.
 */
export function applyAction<A extends TicketActionName>(
  state: TicketState,
  actor: Actor,
  action: A,
  payload: TicketActionPayloads[A],
  now: Date,
): TicketChange[] {
  const handler = HANDLERS[action] as ActionHandler<A>;
  const changes = handler({ state, actor, now }, payload);
  touch(state, now);
  return changes;
}

function touch(state: TicketState, now: Date): void {
  syncClocks(state, now);
  state.version += 1;
  state.updatedAt = now.toISOString();
}

const next = (p: TicketState['priority']): TicketState['priority'] =>
  PRIORITIES[Math.min(PRIORITIES.indexOf(p) + 1, PRIORITIES.length - 1)]!;

/** The earliest instant at which something falls due (SLA warning or breach, windows). */
export function nextDueAt(state: TicketState): Date | undefined {
  const candidates: string[] = [];
  for (const name of CLOCKS) {
    const c = state.sla[name];
    if (c.warningAt) candidates.push(c.warningAt);
    if (c.breachAt) candidates.push(c.breachAt);
  }
  if (state.status === 'resolved') {
    if (state.validationDueAt) candidates.push(state.validationDueAt);
    if (state.validationReminderAt && !state.validationRemindedAt) candidates.push(state.validationReminderAt);
  }
  if (state.status === 'done' && state.reopenUntil) candidates.push(state.reopenUntil);
  if (candidates.length === 0) return undefined;
  return new Date(Math.min(...candidates.map((c) => Date.parse(c))));
}

/**
 * What time alone changes at `now`: SLA warnings, breaches (which escalate: priority one step
 * up, escalation team added, ticket flagged), the validation reminder, automatic validation
 * (RÉSOLU → TERMINÉ) and the end of the reopen window (TERMINÉ → CLÔTURÉ).
 */
export function advanceTime(state: TicketState, now: Date): TicketChange[] {
  const changes: TicketChange[] = [];
  const at = now.toISOString();
  const due = (iso: string | undefined) => iso !== undefined && Date.parse(iso) <= now.getTime();
  for (const name of CLOCKS) {
    const clock = state.sla[name];
    if (due(clock.warningAt) && clock.warnedAt === undefined) {
      clock.warnedAt = at;
      record(state, now, SYSTEM_ACTOR, { kind: 'sla_warning', visibility: 'internal', data: { clock: name } });
      changes.push({ type: 'sla_warning', data: slaData(state, name) });
    }
    if (due(clock.breachAt) && clock.breachedAt === undefined) {
      clock.breachedAt = at;
      clock.warnedAt ??= at;
      const team = state.slaPolicy.escalationTeam;
      state.escalated = true;
      if (!state.escalationTeams.includes(team)) state.escalationTeams.push(team);
      record(state, now, SYSTEM_ACTOR, { kind: 'sla_breached', visibility: 'internal', data: { clock: name, team } });
      changes.push({ type: 'sla_breached', data: { ...slaData(state, name), escalationTeam: team } });
      changes.push(...setPriority(state, now, SYSTEM_ACTOR, next(state.priority), `SLA ${name} breached`));
    }
    syncClocks(state, now);
  }
  if (state.status === 'resolved' && due(state.validationReminderAt) && !state.validationRemindedAt) {
    state.validationRemindedAt = at;
    record(state, now, SYSTEM_ACTOR, { kind: 'validation_reminder', visibility: 'public' });
    changes.push({ type: 'validation_reminder', data: { validationDueAt: state.validationDueAt } });
  }
  if (state.status === 'resolved' && due(state.validationDueAt)) {
    state.sla.resolution.metAt = at;
    changes.push(moveTo(state, 'done', now, SYSTEM_ACTOR, 'validation window elapsed'));
  } else if (state.status === 'done' && due(state.reopenUntil)) {
    changes.push(moveTo(state, 'closed', now, SYSTEM_ACTOR, 'reopen window elapsed'));
  }
  if (changes.length > 0) touch(state, now);
  return changes;
}

function slaData(state: TicketState, name: SlaClockName): Record<string, unknown> {
  const c = state.sla[name];
  return { clock: name, targetMinutes: c.targetMinutes, breachAt: c.breachAt, priority: state.priority };
}
