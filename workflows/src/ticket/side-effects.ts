import {
  makeTicketEvent,
  ticketFactsOf,
  type TicketActivities,
  type TicketChange,
  type TicketEvent,
  type TicketState,
  type TicketView,
} from '@woop/contracts/workflow';
import {
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { allowedByRole, ticketSearchAttributes } from '@woop/ticket-domain';
import { RESTART_STOPPED_LOOPS_PATCH } from './patches';

// Side effects are retried until they succeed (a Kafka or database outage delays them, shown as
// a pending activity in the Temporal UI); both are idempotent, so a retry duplicates nothing.
const { projectTicket, projectTicketChange, publishTicketEvents } = proxyActivities<TicketActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
/**
 * The projection as a local activity (LOCAL_PROJECTION_PATCH): the same function, run by the
 * worker within the workflow task that made the change. One attempt, 5 s at most (a write takes
 * milliseconds, a long row a second or two on a loaded machine): if it fails, the projection goes
 * on as an activity, retried until the database is back and visible to operators as a pending
 * activity with its last failure, as before. Both write only a newer version: nothing twice.
 */
const localProjection = proxyLocalActivities<Pick<TicketActivities, 'projectTicketChange'>>({
  startToCloseTimeout: '5 seconds',
  retry: { maximumAttempts: 1 },
});

/**
 * How long an update waits for its version's projection before it answers with the state alone
 * (`projected: false`): a slow database then delays the reads, not the action, which is recorded
 * and must not look failed to whoever took it (nor be repeated by them).
 */
const PROJECTION_WAIT = '2 seconds';

/** The behaviour a run started with (patches.ts), and what the read model already holds. */
export interface SideEffectOptions {
  split: boolean;
  small: boolean;
  /** The projection in a local activity (LOCAL_PROJECTION_PATCH). */
  local: boolean;
  /** A continued run: the previous one drained its side effects before handing over. */
  continued: boolean;
}

/**
 * The ticket's side effects: the events of its changes (the outbox), written to the read model
 * and published by activities from loops of their own, in version order, so a slow side effect
 * never holds up a timer and a Kafka outage never holds up the read model. The loops are started
 * by whoever changed the state (an update handler, the main loop) or by the loop they wait for,
 * never by a coroutine woken on a condition: that let the order of their commands and of an
 * update's completion differ between a live run and its replay (a non-determinism error).
 */
export function sideEffects(state: TicketState, opts: SideEffectOptions) {
  const { split, small } = opts;
  // Awaited in place of the activity itself: runs without the patch keep their exact microtask
  // order (an extra async layer there changed the order of commands in replay).
  const projectLocally = async (change: Parameters<TicketActivities['projectTicketChange']>[0]) => {
    try {
      return await localProjection.projectTicketChange(change);
    } catch {
      return await projectTicketChange(change);
    }
  };
  const outbox: TicketEvent[] = [];
  let projectedVersion = opts.continued ? state.version : 0;
  /** Activity entries the read model holds (a delta of the projection starts there). */
  let projectedActivity = opts.continued ? state.activity.length : 0;
  let flushing: Promise<void> | undefined;
  let projecting: Promise<void> | undefined;
  let publishing: Promise<void> | undefined;
  // Whether each loop is still before its last check: set and cleared synchronously by the loop
  // itself, unlike `projecting` / `publishing`, which stay set until the promise has settled.
  let projectLooping = false;
  let publishLooping = false;

  const pending = () => projectedVersion < state.version || outbox.length > 0;
  const busy = () => (split ? projecting !== undefined || publishing !== undefined : flushing !== undefined);

  // The contract's ticket.* events (packages/contracts/src/tickets/events.ts), with the facts of
  // the ticket as the change left it.
  const enqueue = (changes: TicketChange[]) => {
    const time = new Date(state.updatedAt);
    const facts = ticketFactsOf(state);
    changes.forEach((change, i) => outbox.push(makeTicketEvent(change, facts, i, time)));
  };

  // Before SPLIT_SIDE_EFFECTS_PATCH: project the newest state, then publish events in order, in one loop.
  const flush = async () => {
    while (pending()) {
      if (projectedVersion < state.version) {
        const version = state.version;
        await projectTicket(state);
        projectedVersion = Math.max(projectedVersion, version);
      }
      if (outbox.length > 0) {
        const batch = outbox.slice(0);
        await publishTicketEvents(batch);
        outbox.splice(0, batch.length);
      }
    }
  };

  // With it: the projection writes the newest state as often as it changes; publishing sends, in
  // order, the events whose version the read model already holds (so a consumer that reads the
  // ticket on an event sees at least that version), and retries on its own while Kafka is down.
  const publishable = () => {
    let n = 0;
    while (n < outbox.length && outbox[n]!.data.ticket.version <= projectedVersion) n++;
    return n;
  };
  const project = async () => {
    projectLooping = true;
    try {
      while (projectedVersion < state.version) {
        const version = state.version;
        if (small) {
          const from = projectedActivity;
          const count = state.activity.length;
          const ticket = from === 0 ? state : { ...state, activity: state.activity.slice(from) };
          const change = { ticket, activityFrom: from };
          if ((await (opts.local ? projectLocally(change) : projectTicketChange(change))) === 'gap') {
            projectedActivity = 0; // the read model is not where the delta started: send it whole
            continue;
          }
          projectedActivity = count;
        } else {
          await projectTicket(state);
        }
        projectedVersion = Math.max(projectedVersion, version);
        startPublishing();
      }
    } finally {
      projectLooping = false;
    }
  };
  const publish = async () => {
    publishLooping = true;
    try {
      for (let n = publishable(); n > 0; n = publishable()) {
        await publishTicketEvents(outbox.slice(0, n));
        outbox.splice(0, n);
      }
    } finally {
      publishLooping = false;
    }
  };
  /** Whether a loop whose promise is `running` cannot be relied on to see new work. */
  const pastLastCheck = (running: Promise<void> | undefined, looping: boolean) =>
    running === undefined || (!looping && patched(RESTART_STOPPED_LOOPS_PATCH));
  function startPublishing() {
    if (publishable() === 0 || !pastLastCheck(publishing, publishLooping)) return;
    const run: Promise<void> = publish().finally(() => {
      if (publishing === run) publishing = undefined;
    });
    publishing = run;
  }
  /** Starts what has work to do and is not running. */
  const start = () => {
    if (!split) {
      if (flushing || !pending()) return;
      flushing = flush().finally(() => {
        flushing = undefined;
      });
      return;
    }
    if (projectedVersion < state.version && pastLastCheck(projecting, projectLooping)) {
      const run: Promise<void> = project().finally(() => {
        if (projecting === run) projecting = undefined;
      });
      projecting = run;
    }
    startPublishing();
  };

  const view = (): TicketView => ({ ticket: state, allowed: allowedByRole(state) });
  /** Whether the read model holds `version` (or a newer one), waiting PROJECTION_WAIT at most. */
  const projected = async (version: number) =>
    projectedVersion >= version || (await condition(() => projectedVersion >= version, PROJECTION_WAIT));
  /**
   * An update's answer: once projected, the ticket without its conversation (small in history
   * whatever its length: the API reads the ticket from the read model); otherwise all of it.
   */
  const answer = async (version: number): Promise<TicketView> => {
    if (!(await projected(version))) return { ...view(), projected: false };
    if (!small) return { ...view(), projected: true };
    const { activity: _a, description: _d, fields: _f, ...head } = state;
    return { ticket: { ...head, activity: [] }, allowed: allowedByRole(state), projected: true };
  };

  return { outbox, enqueue, start, busy, view, answer };
}

/**
 * Keeps the ticket's search attributes (what the Temporal Web UI filters on) current: the
 * returned function upserts them when they changed since its last call.
 */
export function searchIndex(state: TicketState): () => void {
  let indexed = '';
  return () => {
    const pairs = ticketSearchAttributes(state);
    const key = JSON.stringify(pairs.map((p) => p.value));
    if (key !== indexed) {
      upsertSearchAttributes(pairs);
      indexed = key;
    }
  };
}
