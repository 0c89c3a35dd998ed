import { createHash } from 'node:crypto';
import {
  ticketFormSchema,
  type Actor,
  type Portal,
  type TicketActionName,
  type TicketActionPayloads,
  type TicketView,
} from '@woop/contracts';
import { isDuplicateKey, parseInput, type VerifiedIdentity } from '@woop/service-kit';
import { ticketOrganizationId } from './access';
import { slaPolicyOf, ticketWindows } from '../config';
import { nextReference, requestType } from '../model/store';
import { ReferenceTakenError, TicketActionRefusedError, TicketClosedError } from './ticket-client';
import { countedAction } from './action-metrics';
import { requestClosed, type RouteContext } from './context';
import { problem } from './problems';

/**
 * What the tickets API does to tickets, for whoever asks: the routes (a person's HTTP call) and
 * the email channel (a person's emailed reply or message, `mail.ts`) run the same
 * checks and the same workflow calls. Refusals are problems (ProblemError) either way.
 */
type Deps = Pick<RouteContext, 'models' | 'workflows' | 'config'>;

/**
 * Runs an action as `who` through the workflow. `idempotencyId` is the Temporal update id
 * (already scoped to the person: `${userId}:${key}`); a second call with it has the first's
 * effect only. Temporal calls share one deadline (TICKETS_TEMPORAL_TIMEOUT_MS).
 */
export async function runAction<A extends TicketActionName>(
  { workflows }: Deps,
  who: VerifiedIdentity,
  reference: string,
  action: A,
  payload: TicketActionPayloads[A],
  idempotencyId: string | undefined,
): Promise<{ view: TicketView; deadline: number }> {
  const actor: Actor = { id: who.userId, role: who.role, name: who.name };
  const deadline = workflows.deadline();
  try {
    const view = await countedAction(action, () =>
      workflows.act(reference, action, { actor, payload }, idempotencyId, deadline),
    );
    return { view, deadline };
  } catch (err) {
    throw asProblem(err, reference);
  }
}

/** A workflow's refusal of an action as the API's problem; any other error as it is. */
export function asProblem(err: unknown, reference: string): unknown {
  // Closed since it was read (by another action, or the reopen window's end), or ending now.
  if (err instanceof TicketClosedError) return requestClosed(reference);
  if (err instanceof TicketActionRefusedError) {
    if (err.refusal.status === 'closed') return requestClosed(reference);
    const { code, message, allowed, status } = err.refusal;
    return problem(code, message, undefined, {
      'X-Ticket-Status': status,
      'X-Allowed-Actions': allowed.join(','),
    });
  }
  return err;
}

/** What a new request says, as POST /tickets takes it. */
export interface NewRequest {
  requestType: string;
  portal: Portal;
  summary?: string | undefined;
  description?: string | undefined;
  fields?: Record<string, unknown> | undefined;
}

/**
 * Opens a request as `who` (POST /tickets, and an email to the support address). With an
 * idempotency key (scoped to the person here: its row is `${userId}:${key}`), the same key
 * returns the first request; another body under it is refused. `channel` marks the creation's
 * activity entry (`email`).
 */
export async function openRequest(
  { models, workflows, config }: Deps,
  who: VerifiedIdentity,
  body: NewRequest,
  opts: { key?: string | undefined; requestHash: string; channel?: 'email' },
): Promise<{ reference: string; view: TicketView; deadline: number }> {
  const type = await requestType(models, body.requestType);
  if (!type || !type.portals.includes(body.portal)) {
    throw problem('validation_failed', 'Unknown request type for this portal.', [
      { path: 'requestType', message: 'unknown request type' },
    ]);
  }
  const form = parseInput(ticketFormSchema(type), {
    summary: body.summary,
    description: body.description,
    fields: body.fields,
  });

  // Idempotency-Key: the same key from the same person returns the first ticket.
  const { key, requestHash } = opts;
  const idempotencyId = `${who.userId}:${key}`;
  let reference: string | undefined;
  if (key !== undefined) {
    const seen = await models.Idempotency.findById(idempotencyId).lean();
    if (seen && seen.requestHash !== requestHash) {
      throw problem('idempotency_key_reused', 'This Idempotency-Key was used for another request.');
    }
    reference = seen?.reference;
  }
  /** A new number, recorded under the Idempotency-Key (whose first request wins a race). */
  const claim = async (taken?: string): Promise<{ reference: string; fresh: boolean }> => {
    const next = await nextReference(models);
    if (key === undefined) return { reference: next, fresh: true };
    if (taken) {
      await models.Idempotency.updateOne({ _id: idempotencyId, reference: taken }, { $set: { reference: next } });
      const now = (await models.Idempotency.findById(idempotencyId).lean())!.reference;
      return { reference: now, fresh: now === next };
    }
    try {
      await models.Idempotency.create({ _id: idempotencyId, reference: next, requestHash });
      return { reference: next, fresh: true };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return { reference: (await models.Idempotency.findById(idempotencyId).lean())!.reference, fresh: false };
    }
  };
  const policy = slaPolicyOf(config, type.slaPolicy);
  // In turn (the create queue): a number is claimed and the engine called only once admitted, so
  // a create refused for the queue (503) has written nothing.
  return workflows.inTurn(async () => {
    let attempt = reference ? { reference, fresh: false } : await claim();
    const deadline = workflows.deadline();
    for (let tries = 1; ; tries++) {
      try {
        // Answers once the read model holds the new ticket (update-with-start).
        const { view } = await workflows.create(
          {
            reference: attempt.reference,
            requestType: type.key,
            requestTypeVersion: type.version,
            portal: body.portal,
            // Taken now: a customer attached to an organisation later files their next ones there.
            organizationId: ticketOrganizationId(who),
            requester: { id: who.userId, name: who.name },
            summary: form.summary,
            description: form.description,
            fields: form.fields,
            confidential: type.confidential,
            defaultTeam: type.defaultTeam,
            priority: 'medium',
            slaPolicy: policy,
            windows: ticketWindows(config, policy.calendar),
            ...(opts.channel ? { channel: opts.channel } : {}),
          },
          { fresh: attempt.fresh, deadline },
        );
        return { reference: attempt.reference, view, deadline };
      } catch (err) {
        // The number was free in our database but Temporal has (or had) a ticket under it: a
        // restored or reset database. Never attach this request to that ticket: take the next.
        if (!(err instanceof ReferenceTakenError) || tries >= 50) throw err;
        attempt = await claim(attempt.reference);
      }
    }
  });
}

/** The digest a create's Idempotency-Key row keeps of its body (another body under it is refused). */
export const requestHashOf = (body: unknown): string => createHash('sha256').update(JSON.stringify(body)).digest('hex');
