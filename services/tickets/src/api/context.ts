import type { Request } from 'express';
import type { TicketState } from '@woop/contracts';
import { requireIdentity, type VerifiedIdentity } from '@woop/service-kit';
import { canSee } from './access';
import { problem } from './problems';
import type { TicketsConfig } from '../config';
import type { TicketModels } from '../model/database';
import type { TicketRecord } from '../model/read-model';
import type { TicketWorkflows } from './ticket-client';

/** What every route module of the tickets API shares. */
export interface RouteContext {
  models: TicketModels;
  workflows: TicketWorkflows;
  config: TicketsConfig;
  /** The caller, from the identity the gateway signed (401 without it). */
  caller: (req: Request) => VerifiedIdentity;
  /** The ticket if `who` may see it; 404 `ticket_not_found` otherwise (also when it does not exist). */
  visibleTicket: (who: VerifiedIdentity, reference: string) => Promise<TicketRecord | TicketState>;
  /**
   * Read-your-writes: after their own change the actor's next read shows it. Waits (briefly,
   * TICKETS_PROJECTION_WAIT_MS) for the projection of `version`; a slow one only delays reads.
   */
  awaitProjection: (reference: string, version: number) => Promise<void>;
}

export const ticketNotFound = (reference: string) => problem('ticket_not_found', `No request ${reference} for you.`);

export function routeContext(deps: Pick<RouteContext, 'models' | 'workflows' | 'config'>): RouteContext {
  const { models, workflows, config } = deps;
  return {
    ...deps,
    caller: (req) => requireIdentity(req, config.INTERNAL_AUTH_SECRET),
    /** The read model's copy or, right after its creation, the workflow's. */
    async visibleTicket(who, reference) {
      const record = (await models.tickets().findOne({ _id: reference as never })) as TicketRecord | null;
      if (record) {
        if (!canSee(who, record)) throw ticketNotFound(reference);
        return record;
      }
      const view = await workflows.view(reference).catch(() => undefined);
      if (!view || !canSee(who, { ...view.ticket, _id: reference })) throw ticketNotFound(reference);
      return view.ticket;
    },
    async awaitProjection(reference, version) {
      const deadline = Date.now() + config.TICKETS_PROJECTION_WAIT_MS;
      while (Date.now() < deadline) {
        const doc = await models.tickets().findOne({ _id: reference as never }, { projection: { version: 1 } });
        if (doc && (doc.version as number) >= version) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
