import {
  ACTION_REFUSED,
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
} from '@woop/contracts';
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair, UpdateDefinition } from '@temporalio/common';
import { advanceTime, allowedByRole, applyAction, createTicket, nextDueAt, refusal } from './lifecycle';

// Side effects are retried until they succeed (a Kafka or database outage delays them, shown as
// a pending activity in the Temporal UI); both are idempotent, so a retry duplicates nothing.
const { projectTicket, publishTicketEvents } = proxyActivities<TicketActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * One workflow per ticket (id `ticket-<reference>`), from creation to CLÔTURÉ. Actions are
 * updates whose validators refuse what the status or role does not allow (leaving no trace in
 * history); time-driven changes (SLA warning and breach, automatic validation, closing) are
 * durable timers. The read model and events are written by activities from a separate loop,
 * in version order, so a slow side effect never holds up an action or a timer.
 */
export async function ticketWorkflow(input: TicketWorkflowInput): Promise<TicketState> {
  let state: TicketState;
  const outbox: TicketEvent[] = [];
  let projectedVersion = 0;

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
  }

  const pending = () => projectedVersion < state.version || outbox.length > 0;
  // Side effects run beside the main loop: project the newest state, then publish events in
  // order. An update handler starts them before it returns, so their first command always
  // precedes the update's completion; waking a second coroutine on a condition instead let
  // the two orders differ between a live run and its replay (a non-determinism error).
  let flushing: Promise<void> | undefined;
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
  const startFlush = () => {
    if (flushing || !pending()) return;
    flushing = flush().finally(() => {
      flushing = undefined;
    });
  };

  const view = (): TicketView => ({ ticket: state, allowed: allowedByRole(state) });

  for (const name of TICKET_ACTIONS) {
    setHandler(
      ticketUpdates[name] as UpdateDefinition<TicketView, [TicketActionRequest]>,
      (request: TicketActionRequest) => {
        enqueue(applyAction(state, request.actor, name, request.payload as never, new Date()));
        startFlush();
        return view();
      },
      { validator: (request: TicketActionRequest) => validate(state, name, request) },
    );
  }
  setHandler(getTicketQuery, view);

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
      await condition(() => allHandlersFinished() && !flushing);
      startFlush();
      if (!flushing) return await continueAsNew<typeof ticketWorkflow>({ state });
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
    await condition(() => allHandlersFinished() && !flushing);
    startFlush();
    if (!flushing) return state;
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
