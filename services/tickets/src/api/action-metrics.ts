import { TICKET_ACTIONS, type TicketActionName } from '@woop/contracts';
import { counter } from '@woop/service-kit';
import { TicketActionRefusedError } from './ticket-client';

/**
 * Ticket actions by type and outcome, counted where the tickets API sends them to the workflow:
 * `accepted` (the update ran), `refused` (its validator said no: role, status or payload; a
 * client's mistake or a race), `failed` (anything else: Temporal unreachable, a timeout).
 */
export const ticketActions = counter('woop_ticket_actions_total', 'Ticket actions sent to the workflow, by outcome', [
  'action',
  'outcome',
]);
// Every series from the start, at 0: a rate over the first failure is then computable.
for (const action of TICKET_ACTIONS) {
  for (const outcome of ['accepted', 'refused', 'failed']) ticketActions.inc({ action, outcome }, 0);
}

export async function countedAction<T>(action: TicketActionName, run: () => Promise<T>): Promise<T> {
  try {
    const result = await run();
    ticketActions.inc({ action, outcome: 'accepted' });
    return result;
  } catch (err) {
    ticketActions.inc({ action, outcome: err instanceof TicketActionRefusedError ? 'refused' : 'failed' });
    throw err;
  }
}
