import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import {
  ACTION_REFUSED,
  getTicketQuery,
  SEARCH_ATTRIBUTES,
  ticketUpdates,
  ticketWorkflowId,
  type ActionRefusal,
  type NewTicket,
  type TicketActionName,
  type TicketActionRequest,
  type TicketView,
} from '@woop/contracts';

/** Temporal has, or had, a ticket under this reference: a new request must take another. */
export class ReferenceTakenError extends Error {
  constructor(readonly reference: string) {
    super(`Temporal already has a ticket ${reference}`);
    this.name = 'ReferenceTakenError';
  }
}

/** A refused action: the status or the role does not allow it now. Nothing was recorded. */
export class TicketActionRefusedError extends Error {
  constructor(readonly refusal: ActionRefusal) {
    super(refusal.message);
    this.name = 'TicketActionRefusedError';
  }
}

/**
 * The tickets service's side of the ticket workflow: start (idempotent on the reference),
 * act (one update per action, answered with the new state), read (query).
 */
export class TicketWorkflows {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  private handle(reference: string): WorkflowHandle {
    return this.client.workflow.getHandle(ticketWorkflowId(reference));
  }

  /**
   * Starts the ticket's workflow; a reference is never used by two runs (REJECT_DUPLICATE).
   * `fresh`: a newly claimed number, which must not exist in Temporal (else ReferenceTakenError).
   * Otherwise a retried create: the workflow our first attempt started is kept (USE_EXISTING).
   */
  async open(
    ticket: NewTicket,
    opts: { fresh: boolean } = { fresh: false },
  ): Promise<{ workflowId: string; runId?: string }> {
    const workflowId = ticketWorkflowId(ticket.reference);
    try {
      const handle = await this.client.workflow.start('ticketWorkflow', {
        taskQueue: this.taskQueue,
        workflowId,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        workflowIdConflictPolicy: opts.fresh ? WorkflowIdConflictPolicy.FAIL : WorkflowIdConflictPolicy.USE_EXISTING,
        args: [{ ticket }],
        typedSearchAttributes: [
          { key: SEARCH_ATTRIBUTES.reference, value: ticket.reference },
          { key: SEARCH_ATTRIBUTES.status, value: 'open' },
          { key: SEARCH_ATTRIBUTES.requestType, value: ticket.requestType },
          { key: SEARCH_ATTRIBUTES.organizationId, value: ticket.organizationId },
          { key: SEARCH_ATTRIBUTES.priority, value: ticket.priority },
          { key: SEARCH_ATTRIBUTES.assignedTeam, value: ticket.defaultTeam },
          { key: SEARCH_ATTRIBUTES.slaBreached, value: false },
        ],
      });
      return { workflowId, runId: handle.firstExecutionRunId };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      if (opts.fresh) throw new ReferenceTakenError(ticket.reference);
      // A retried create whose ticket is already closed: it stands.
    }
    return { workflowId };
  }

  /**
   * Takes an action. `updateId` (e.g. from an Idempotency-Key) makes a retried call return the
   * first call's result instead of acting twice.
   */
  async act<A extends TicketActionName>(
    reference: string,
    action: A,
    request: TicketActionRequest<A>,
    updateId?: string,
  ): Promise<TicketView> {
    try {
      return await this.handle(reference).executeUpdate(ticketUpdates[action] as never, {
        args: [request],
        ...(updateId ? { updateId } : {}),
      });
    } catch (err) {
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.type === ACTION_REFUSED) {
        throw new TicketActionRefusedError(cause.details?.[0] as ActionRefusal);
      }
      throw err;
    }
  }

  async view(reference: string): Promise<TicketView> {
    return this.handle(reference).query(getTicketQuery);
  }
}
