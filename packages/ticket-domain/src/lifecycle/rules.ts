import {
  ACTION_ROLES,
  TICKET_ACTIONS,
  TICKET_STATE_HARD_MAX,
  TICKET_STATE_MAX,
  TICKET_STATUSES,
  type ActionRefusal,
  type Actor,
  type Role,
  type TicketActionName,
  type TicketState,
  type TicketStatus,
} from '@woop/contracts/workflow';
import type { ticketPayloadProblem as TicketPayloadProblem } from '@woop/contracts/payloads';
import { ratedThisClosure } from './csat';

/**
 * The payload check (the contract's zod schemas), loaded by the first validator that checks a
 * payload. The worker evaluates a workflow's modules again for every workflow it loads into its
 * cache, and zod with the schemas is most of that (~0.75 MB and ~7 ms a load, measured) while
 * most loads never check a payload: a timer firing (an SLA breach), a replay after eviction.
 * Deterministic all the same: validators do not run on replay, and loading a pure module
 * emits no command.
 */
let payloadProblem: typeof TicketPayloadProblem | undefined;
function ticketPayloadProblem(action: TicketActionName, payload: unknown): string | undefined {
  // eslint-disable-next-line no-restricted-globals, @typescript-eslint/no-require-imports -- loaded on first use, above
  payloadProblem ??= (require('@woop/contracts/payloads') as { ticketPayloadProblem: typeof TicketPayloadProblem })
    .ticketPayloadProblem;
  return payloadProblem(action, payload);
}

/**
 * Who may do what: which action each role may take in which status, and why one is refused.
 * Roles per action are the contract's (`ACTION_ROLES`), payloads its schemas
 * (`ticketActionPayloads`); the statuses are the workflow's own.
 */

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
  rate: ['done'],
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
  // Once per closure: a reopened request answered again (a new TERMINÉ) may be rated again.
  if (action === 'rate' && ratedThisClosure(state)) return false;
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
  // The requester's own satisfaction: a colleague or someone it is shared with does not rate.
  if (action === 'rate' && actor.id !== state.requester.id) {
    return { ...base, code: 'role_not_allowed', message: `Only the requester of ${state.reference} may rate it.` };
  }
  if (action === 'rate' && state.status === 'done' && ratedThisClosure(state)) {
    return { ...base, code: 'already_rated', message: `${state.reference} is rated already for this closure.` };
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
  const text = textOf(payload);
  if (text > 0) {
    const limit = CONVERSATION_ACTIONS.includes(action) ? TICKET_STATE_MAX : TICKET_STATE_HARD_MAX;
    if (utf8.encode(JSON.stringify(state)).length + text > limit) {
      return {
        ...base,
        code: 'conversation_limit_reached',
        message: `${state.reference} holds as much text as a request may (${limit} bytes); file a new request that refers to it.`,
      };
    }
  }
  return undefined;
}

/** What makes a conversation long: refused first, at TICKET_STATE_MAX (the others at the hard limit). */
const CONVERSATION_ACTIONS: readonly TicketActionName[] = [
  'reply',
  'addInternalNote',
  'comment',
  'requestInformation',
  'provideInformation',
];
const utf8 = new TextEncoder();

/** The payload fields in which people write (see `ticketActionPayloads`). */
const TEXT_FIELDS = ['body', 'question', 'answer', 'reason', 'comment'] as const;

/** Bytes of text an action's payload adds (a comment, a question, an answer, a reason). */
function textOf(payload: unknown): number {
  if (!payload || typeof payload !== 'object') return 0;
  const fields = payload as Record<string, unknown>;
  return TEXT_FIELDS.reduce((n, k) => n + (typeof fields[k] === 'string' ? utf8.encode(fields[k]).length : 0), 0);
}
