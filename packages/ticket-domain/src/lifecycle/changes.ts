import type { ActivityEntry, Actor, Assignment, Priority, TicketState, TicketStatus } from '@woop/contracts/workflow';
import { openWindows } from './clocks';
import { retarget, syncClocks } from './sla';

/**
 * The small changes actions and timers are made of: each changes the state and writes its
 * activity entry (what people read on the request's page); the caller says what happened in
 * the action's one event.
 */

export function record(
  state: TicketState,
  now: Date,
  actor: Actor,
  entry: Omit<ActivityEntry, 'seq' | 'at' | 'actor'>,
): void {
  state.activity.push({ seq: state.activity.length + 1, at: now.toISOString(), actor, ...entry });
}

/** Moves the ticket to `to`, with its windows and activity entry; returns the move for the event. */
export function moveTo(
  state: TicketState,
  to: TicketStatus,
  now: Date,
  actor: Actor,
  reason?: string,
): { from: TicketStatus; to: TicketStatus } {
  const from = state.status;
  state.status = to;
  openWindows(state, to, now);
  record(state, now, actor, { kind: 'status_changed', visibility: 'public', from, to, ...(reason ? { reason } : {}) });
  return { from, to };
}

/**
 * A public comment or an internal note in the activity; `channel` says how it came when not
 * through the portal (`email`: a reply read from the support mailbox). Entries without it (all
 * of the recorded histories') are written exactly as before.
 */
export function comment(
  state: TicketState,
  now: Date,
  actor: Actor,
  body: string,
  visibility: 'public' | 'internal',
  channel?: 'email',
): void {
  record(state, now, actor, {
    kind: visibility === 'public' ? 'comment' : 'internal_note',
    visibility,
    body,
    ...(channel ? { data: { channel } } : {}),
  });
}

export function meetFirstResponse(state: TicketState, now: Date): void {
  state.sla.firstResponse.metAt ??= now.toISOString();
}

/** Sets the priority (retargeting the open clocks); returns the change, or undefined when it is the same. */
export function setPriority(
  state: TicketState,
  now: Date,
  actor: Actor,
  priority: Priority,
  reason?: string,
): { from: Priority; to: Priority } | undefined {
  const from = state.priority;
  if (from === priority) return undefined;
  state.priority = priority;
  retarget(state);
  record(state, now, actor, {
    kind: 'priority_changed',
    visibility: 'internal',
    data: { from, to: priority },
    ...(reason ? { reason } : {}),
  });
  return { from, to: priority };
}

/** Assigns to an agent and/or a team (the team stays when only an agent is named); returns the assignment. */
export function assign(state: TicketState, now: Date, actor: Actor, assignment: Assignment): Assignment {
  state.assignment = {
    ...(assignment.agentId ? { agentId: assignment.agentId } : {}),
    team: assignment.team ?? state.assignment.team,
  };
  const data = { ...state.assignment } as Record<string, string>;
  record(state, now, actor, { kind: 'assigned', visibility: 'internal', data });
  return { ...state.assignment };
}

/** After any change: clocks in step with the status, the version bumped. */
export function touch(state: TicketState, now: Date): void {
  syncClocks(state, now);
  state.version += 1;
  state.updatedAt = now.toISOString();
}
