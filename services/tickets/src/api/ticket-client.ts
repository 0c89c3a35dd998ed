import { CreateQueue, type CreateQueueLimits } from './create-queue';
import {
  ApplicationFailure,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import {
  ACTION_REFUSED,
  awaitProjectionUpdate,
  erasePersonUpdate,
  getTicketQuery,
  ticketUpdates,
  ticketWorkflowId,
  type ActionRefusal,
  type NewTicket,
  type TicketActionName,
  type TicketActionRequest,
  type TicketView,
} from '@woop/contracts';
import { newTicketSearchAttributes } from '@woop/ticket-domain';

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
 * The ticket's workflow has ended (CLÔTURÉ, or ended otherwise): it takes no more actions. What
 * Temporal answers an update to a completed workflow ("workflow execution already completed"),
 * e.g. when the reopen window closed the request after the read model was read.
 */
export class TicketClosedError extends Error {
  constructor(readonly reference: string) {
    super(`${reference} is closed: its workflow has ended`);
    this.name = 'TicketClosedError';
  }
}

/**
 * The tickets service's side of the ticket workflow: start (idempotent on the reference),
 * act (one update per action, answered with the new state), read (query). Every call has a
 * deadline (`timeoutMs`, under the gateway's upstream timeout) so a Temporal or worker outage
 * answers 503 in time instead of a hang; `deadline` (epoch ms) lets one request share one.
 */
export class TicketWorkflows {
  /** Creates take their turn here (one queue per process); none: every create runs at once. */
  private readonly creates: CreateQueue | undefined;

  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly timeoutMs = 4_000,
    createLimits?: CreateQueueLimits,
  ) {
    this.creates = createLimits ? new CreateQueue(createLimits) : undefined;
  }

  /**
   * Runs a create's calls (`create`, `view`, under one `deadline()` taken inside) when its turn
   * comes in the create queue: the deadline counts from then, not from the wait.
   */
  inTurn<T>(create: () => Promise<T>): Promise<T> {
    return this.creates ? this.creates.run(create) : create();
  }

  private handle(reference: string): WorkflowHandle {
    return this.client.workflow.getHandle(ticketWorkflowId(reference));
  }

  /** Runs `fn`'s Temporal calls under `deadline`: past it they fail with gRPC DEADLINE_EXCEEDED (a 503). */
  private bounded<T>(deadline: number | undefined, fn: () => Promise<T>): Promise<T> {
    return this.client.withDeadline(deadline ?? Date.now() + this.timeoutMs, fn);
  }

  /**
   * Erases `userId` from a running ticket's workflow (its state, the events it has yet to
   * publish): 'erased', 'unchanged' (nothing of them left: a second erasure), or 'ended' (the
   * workflow has completed: its state is in Temporal's history only, see docs/operations.md).
   * Any other failure throws, and the caller retries.
   */
  async erasePerson(reference: string, userId: string): Promise<'erased' | 'unchanged' | 'ended'> {
    try {
      const { changed } = await this.bounded(undefined, () =>
        this.handle(reference).executeUpdate(erasePersonUpdate, { args: [{ userId }] }),
      );
      return changed ? 'erased' : 'unchanged';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return 'ended';
      if (err instanceof Error && /already completed/i.test(err.message)) return 'ended';
      throw err;
    }
  }

  /** A deadline for the calls of one request, from now. */
  deadline(): number {
    return Date.now() + this.timeoutMs;
  }

  private startOptions(ticket: NewTicket, fresh: boolean) {
    return {
      taskQueue: this.taskQueue,
      workflowId: ticketWorkflowId(ticket.reference),
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      workflowIdConflictPolicy: fresh ? WorkflowIdConflictPolicy.FAIL : WorkflowIdConflictPolicy.USE_EXISTING,
      args: [{ ticket }],
      typedSearchAttributes: newTicketSearchAttributes(ticket),
    };
  }

  /**
   * Starts the ticket's workflow; a reference is never used by two runs (REJECT_DUPLICATE).
   * `fresh`: a newly claimed number, which must not exist in Temporal (else ReferenceTakenError).
   * Otherwise a retried create: the workflow our first attempt started is kept (USE_EXISTING).
   * Returns at once, before the read model has the ticket (see `create`).
   */
  async open(
    ticket: NewTicket,
    opts: { fresh: boolean; deadline?: number } = { fresh: false },
  ): Promise<{ workflowId: string; runId?: string }> {
    const workflowId = ticketWorkflowId(ticket.reference);
    try {
      const handle = await this.bounded(opts.deadline, () =>
        this.client.workflow.start('ticketWorkflow', this.startOptions(ticket, opts.fresh)),
      );
      return { workflowId, runId: handle.firstExecutionRunId };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      if (opts.fresh) throw new ReferenceTakenError(ticket.reference);
      // A retried create whose ticket is already closed: it stands.
    }
    return { workflowId };
  }

  /**
   * Starts the ticket's workflow like `open`, with the `awaitProjection` update in the same call
   * (update-with-start): answers with the new ticket once the read model holds it, so the
   * requester's next list shows it, without polling the database.
   */
  async create(
    ticket: NewTicket,
    opts: { fresh: boolean; deadline?: number } = { fresh: false },
  ): Promise<{ workflowId: string; view: TicketView }> {
    const workflowId = ticketWorkflowId(ticket.reference);
    const start = new WithStartWorkflowOperation('ticketWorkflow', this.startOptions(ticket, opts.fresh));
    try {
      return await this.bounded(opts.deadline, async () => {
        const view = await this.client.workflow.executeUpdateWithStart(awaitProjectionUpdate, {
          startWorkflowOperation: start,
        });
        return { workflowId, view };
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      if (opts.fresh) throw new ReferenceTakenError(ticket.reference);
      // A retried create whose ticket is already closed: it stands (its run drained its side
      // effects before it completed, so the read model has its last version).
      return { workflowId, view: await this.view(ticket.reference, opts.deadline) };
    }
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
    deadline?: number,
  ): Promise<TicketView> {
    const update = () =>
      this.handle(reference).executeUpdate<TicketView, [TicketActionRequest<A>]>(ticketUpdates[action] as never, {
        args: [request],
        ...(updateId ? { updateId } : {}),
      });
    try {
      return await this.bounded(deadline, async () => {
        try {
          return await update();
        } catch (err) {
          // The run the update was sent to has ended: the request is closed, or the run continued
          // as new (a long-lived ticket) between the call and its delivery; the latest run says which.
          if (!(err instanceof WorkflowNotFoundError)) throw err;
          if (await this.ended(reference, err)) throw new TicketClosedError(reference);
          return await update();
        }
      });
    } catch (err) {
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.type === ACTION_REFUSED) {
        throw new TicketActionRefusedError(cause.details?.[0] as ActionRefusal);
      }
      throw err;
    }
  }

  /**
   * Whether the ticket's latest run has ended (completed, or ended another way): it will never
   * take an update again. Rethrows `notFound` when Temporal has no such workflow at all.
   */
  private async ended(reference: string, notFound: WorkflowNotFoundError): Promise<boolean> {
    const description = await this.handle(reference)
      .describe()
      .catch((err: unknown) => {
        throw err instanceof WorkflowNotFoundError ? notFound : err;
      });
    return description.status.name !== 'RUNNING';
  }

  /** Answers once the read model holds the ticket's current version. */
  async awaitProjection(reference: string, deadline?: number): Promise<TicketView> {
    return this.bounded(deadline, () => this.handle(reference).executeUpdate(awaitProjectionUpdate));
  }

  async view(reference: string, deadline?: number): Promise<TicketView> {
    return this.bounded(deadline, () => this.handle(reference).query(getTicketQuery));
  }
}
