import {
  ACTION_REFUSED,
  awaitProjectionUpdate,
  erasePersonUpdate,
  getTicketQuery,
  TICKET_ACTIONS,
  ticketUpdates,
  type TicketActionName,
  type TicketActionRequest,
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
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import {
  advanceTime,
  applyAction,
  createTicket,
  erasePerson,
  nextDueAt,
  refusal,
  validateErasure,
} from '@woop/ticket-domain';
import { CSAT_RATING_PATCH, LOCAL_PROJECTION_PATCH, SMALL_CHANGES_PATCH, SPLIT_SIDE_EFFECTS_PATCH } from './patches';
import { searchIndex, sideEffects } from './side-effects';

export {
  CSAT_RATING_PATCH,
  LOCAL_PROJECTION_PATCH,
  RESTART_STOPPED_LOOPS_PATCH,
  SMALL_CHANGES_PATCH,
  SPLIT_SIDE_EFFECTS_PATCH,
} from './patches';

/**
 * One workflow per ticket (id `ticket-<reference>`), from creation to CLÔTURÉ. Actions are
 * updates whose validators refuse what the status or role does not allow (leaving no trace in
 * history); time-driven changes (SLA warning and breach, automatic validation, closing) are
 * durable timers. What each change does is @woop/ticket-domain's; writing the read model and
 * publishing the events is `sideEffects`'.
 */
export async function ticketWorkflow(input: TicketWorkflowInput): Promise<TicketState> {
  const split = patched(SPLIT_SIDE_EFFECTS_PATCH);
  const small = split && patched(SMALL_CHANGES_PATCH);
  const local = small && patched(LOCAL_PROJECTION_PATCH);
  const created = input.ticket ? createTicket(input.ticket, new Date()) : undefined;
  const state = created?.state ?? input.state!;
  const effects = sideEffects(state, { split, small, local, continued: created === undefined });
  if (created) effects.enqueue(created.changes);

  for (const name of TICKET_ACTIONS) {
    /** Applies the action; returns the version it made. */
    const apply = (request: TicketActionRequest) => {
      // Marks the runs that took a rating (see patches.ts); asked only by the new update.
      if (name === 'rate') patched(CSAT_RATING_PATCH);
      effects.enqueue(applyAction(state, request.actor, name, request.payload as never, new Date()));
      const version = state.version;
      effects.start();
      return version;
    };
    setHandler(
      ticketUpdates[name] as UpdateDefinition<TicketView, [TicketActionRequest]>,
      split
        ? async (request: TicketActionRequest) => await effects.answer(apply(request))
        : (request: TicketActionRequest) => {
            apply(request);
            return effects.view();
          },
      { validator: (request: TicketActionRequest) => validate(state, name, request) },
    );
  }
  // Sent with the start (update-with-start) so a create answers once its first version is read,
  // or after an action of a run that predates the patch.
  setHandler(awaitProjectionUpdate, async () => {
    effects.start();
    return await effects.answer(state.version);
  });
  setHandler(getTicketQuery, effects.view);
  // Erasure: renames the person in the state and the events not yet published; no version, no
  // event (the tickets service rewrites the read model itself). A new handler, no patch: it adds
  // no command, and no recorded history holds this update.
  setHandler(erasePersonUpdate, ({ userId }) => ({ changed: erasePerson(state, effects.outbox, userId) }), {
    validator: validateErasure,
  });

  const index = searchIndex(state);

  while (state.status !== 'closed') {
    index();
    effects.start();
    if (workflowInfo().continueAsNewSuggested) {
      await condition(() => allHandlersFinished() && !effects.busy());
      effects.start();
      if (!effects.busy()) return await continueAsNew<typeof ticketWorkflow>({ state });
      continue;
    }
    const due = nextDueAt(state);
    const seen = state.version;
    const changed = await condition(
      () => state.version !== seen || workflowInfo().continueAsNewSuggested,
      due ? Math.max(1, due.getTime() - Date.now()) : undefined,
    );
    if (!changed) effects.enqueue(advanceTime(state, new Date()));
  }
  index();
  for (;;) {
    await condition(() => allHandlersFinished() && !effects.busy());
    effects.start();
    if (!effects.busy()) return state;
  }
}

function validate(state: TicketState, action: TicketActionName, request: TicketActionRequest): void {
  const why = refusal(state, request?.actor ?? { id: '', role: 'system', name: '' }, action, request?.payload);
  if (why) {
    throw ApplicationFailure.create({ type: ACTION_REFUSED, message: why.message, details: [why], nonRetryable: true });
  }
}
