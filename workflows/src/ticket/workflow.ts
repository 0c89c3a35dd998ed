import {
  ACTION_REFUSED,
  awaitProjectionUpdate,
  erasePersonUpdate,
  getTicketQuery,
  makeTicketEvent,
  SEARCH_ATTRIBUTES,
  TICKET_ACTIONS,
  ticketFactsOf,
  ticketUpdates,
  type TicketActionName,
  type TicketActionRequest,
  type TicketActivities,
  type TicketChange,
  type TicketEvent,
  type TicketState,
  type TicketView,
  type TicketWorkflowInput,
} from '@woop/contracts/workflow';
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair, UpdateDefinition } from '@temporalio/common';
import {
  advanceTime,
  allowedByRole,
  applyAction,
  createTicket,
  erasePerson,
  nextDueAt,
  refusal,
  validateErasure,
} from '@woop/ticket-domain';

// Side effects are retried until they succeed (a Kafka or database outage delays them, shown as
// a pending activity in the Temporal UI); both are idempotent, so a retry duplicates nothing.
const { projectTicket, projectTicketChange, publishTicketEvents } = proxyActivities<TicketActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Runs started before this patch project and publish in one loop, and answer an update as soon
 * as the state changed. Runs with it (new tickets, and every continue-as-new) project and
 * publish in two loops, so a Kafka outage no longer holds up the read model, and answer an
 * update only once the read model holds its version, so the API needs no polling. Asked once,
 * at the start of a run: a run keeps the behaviour it started with.
 */
export const SPLIT_SIDE_EFFECTS_PATCH = 'split-side-effects-and-projected-updates';

/**
 * Runs with this patch keep each change small in history however long the conversation grows
 * (issue 14): an update answered once its version is projected leaves the conversation out of
 * its answer (the API reads the ticket from the read model), and the projection sends the
 * activity entries added since the last one it wrote, not the whole state again (the whole
 * state only for a new ticket, or when the read model is not where the delta starts).
 */
export const SMALL_CHANGES_PATCH = 'small-update-results-and-projection-deltas';

/**
 * How long an update waits for its version's projection before it answers with the state alone
 * (`projected: false`): a slow database then delays the reads, not the action, which is recorded
 * and must not look failed to whoever took it (nor be repeated by them).
 */
const PROJECTION_WAIT = '2 seconds';

/**
 * A side-effect loop makes its last check (nothing left to do) a few microtasks before its
 * promise settles and `projecting` / `publishing` is cleared. When two activities complete in
 * one workflow task (a worker catching up after a restart, or just busy), the other loop can
 * hand work over in that gap: the projection of version n+1 lands after publishing made its last
 * check at version n, sees `publishing` still set and starts nothing, so the events of n+1 stay
 * unpublished until the next change of the ticket (issue 14's worker kill -9 drill). With this
 * patch a loop that has made its last check counts as stopped, and a new one is started. Asked
 * only at that moment, so a history that went the old way replays the old way.
 */
export const RESTART_STOPPED_LOOPS_PATCH = 'restart-side-effect-loops-past-their-last-check';

/**
 * One workflow per ticket (id `ticket-<reference>`), from creation to CLÔTURÉ. Actions are
 * updates whose validators refuse what the status or role does not allow (leaving no trace in
 * history); time-driven changes (SLA warning and breach, automatic validation, closing) are
 * durable timers. The read model and events are written by activities from loops of their
 * own, in version order, so a slow side effect never holds up a timer, and a Kafka outage never
 * holds up the read model.
 */
export async function ticketWorkflow(input: TicketWorkflowInput): Promise<TicketState> {
  const split = patched(SPLIT_SIDE_EFFECTS_PATCH);
  const small = split && patched(SMALL_CHANGES_PATCH);
  let state: TicketState;
  const outbox: TicketEvent[] = [];
  let projectedVersion = 0;
  /** Activity entries the read model holds (a delta of the projection starts there). */
  let projectedActivity = 0;

  // The contract's ticket.* events (packages/contracts/src/tickets/events.ts), with the facts of
  // the ticket as the change left it.
  const enqueue = (changes: TicketChange[]) => {
    const time = new Date(state.updatedAt);
    const facts = ticketFactsOf(state);
    changes.forEach((change, i) => outbox.push(makeTicketEvent(change, facts, i, time)));
  };

  if (input.ticket) {
    const created = createTicket(input.ticket, new Date());
    state = created.state;
    enqueue(created.changes);
  } else {
    // Continued as new: the previous run drained its side effects before handing over.
    state = input.state;
    projectedVersion = state.version;
    projectedActivity = state.activity.length;
  }

  const pending = () => projectedVersion < state.version || outbox.length > 0;
  // Side effects run beside the main loop. They are started by whoever changed the state (an
  // update handler, the main loop) or by the loop they wait for, never by a coroutine woken on a
  // condition: that let the order of their commands and of an update's completion differ
  // between a live run and its replay (a non-determinism error).
  let flushing: Promise<void> | undefined;
  let projecting: Promise<void> | undefined;
  let publishing: Promise<void> | undefined;
  // Whether each loop is still before its last check: set and cleared synchronously by the loop
  // itself, unlike `projecting` / `publishing`, which stay set until the promise has settled.
  let projectLooping = false;
  let publishLooping = false;
  const busy = () => (split ? projecting !== undefined || publishing !== undefined : flushing !== undefined);

  // Before the patch: project the newest state, then publish events in order, in one loop.
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

  // With the patch: the projection writes the newest state as often as it changes; publishing
  // sends, in order, the events whose version the read model already holds (so a consumer that
  // reads the ticket on an event sees at least that version), and retries on its own while
  // Kafka is down. Both activities are idempotent, so a retry duplicates nothing.
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
          if ((await projectTicketChange({ ticket, activityFrom: from })) === 'gap') {
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
  const startFlush = () => {
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

  for (const name of TICKET_ACTIONS) {
    setHandler(
      ticketUpdates[name] as UpdateDefinition<TicketView, [TicketActionRequest]>,
      split
        ? async (request: TicketActionRequest) => {
            enqueue(applyAction(state, request.actor, name, request.payload as never, new Date()));
            const version = state.version;
            startFlush();
            return await answer(version);
          }
        : (request: TicketActionRequest) => {
            enqueue(applyAction(state, request.actor, name, request.payload as never, new Date()));
            startFlush();
            return view();
          },
      { validator: (request: TicketActionRequest) => validate(state, name, request) },
    );
  }
  // Sent with the start (update-with-start) so a create answers once its first version is read,
  // or after an action of a run that predates the patch.
  setHandler(awaitProjectionUpdate, async () => {
    startFlush();
    return await answer(state.version);
  });
  setHandler(getTicketQuery, view);
  // Erasure: renames the person in the state and the events not yet published; no version, no
  // event (the tickets service rewrites the read model itself). A new handler, no patch: it adds
  // no command, and no recorded history holds this update.
  setHandler(erasePersonUpdate, ({ userId }) => ({ changed: erasePerson(state, outbox, userId) }), {
    validator: validateErasure,
  });

  let indexed = '';
  const index = () => {
    const pairs = searchAttributes(state);
    const key = JSON.stringify(pairs.map((p) => p.value));
    if (key !== indexed) {
      upsertSearchAttributes(pairs);
      indexed = key;
    }
  };

  while (state.status !== 'closed') {
    index();
    startFlush();
    if (workflowInfo().continueAsNewSuggested) {
      await condition(() => allHandlersFinished() && !busy());
      startFlush();
      if (!busy()) return await continueAsNew<typeof ticketWorkflow>({ state });
      continue;
    }
    const due = nextDueAt(state);
    const seen = state.version;
    const changed = await condition(
      () => state.version !== seen || workflowInfo().continueAsNewSuggested,
      due ? Math.max(1, due.getTime() - Date.now()) : undefined,
    );
    if (!changed) enqueue(advanceTime(state, new Date()));
  }
  index();
  for (;;) {
    await condition(() => allHandlersFinished() && !busy());
    startFlush();
    if (!busy()) return state;
  }
}

function validate(state: TicketState, action: TicketActionName, request: TicketActionRequest): void {
  const why = refusal(state, request?.actor ?? { id: '', role: 'system', name: '' }, action, request?.payload);
  if (why) {
    throw ApplicationFailure.create({ type: ACTION_REFUSED, message: why.message, details: [why], nonRetryable: true });
  }
}

function searchAttributes(state: TicketState): SearchAttributeUpdatePair[] {
  const pairs: SearchAttributeUpdatePair[] = [
    { key: SEARCH_ATTRIBUTES.reference, value: state.reference },
    { key: SEARCH_ATTRIBUTES.status, value: state.status },
    { key: SEARCH_ATTRIBUTES.requestType, value: state.requestType },
    { key: SEARCH_ATTRIBUTES.organizationId, value: state.organizationId },
    { key: SEARCH_ATTRIBUTES.priority, value: state.priority },
    { key: SEARCH_ATTRIBUTES.slaBreached, value: state.escalated },
  ];
  if (state.assignment.agentId) pairs.push({ key: SEARCH_ATTRIBUTES.assignee, value: state.assignment.agentId });
  if (state.assignment.team) pairs.push({ key: SEARCH_ATTRIBUTES.assignedTeam, value: state.assignment.team });
  return pairs;
}
