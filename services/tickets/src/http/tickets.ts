import { createHash } from 'node:crypto';
import type { Router } from 'express';
import {
  createTicketBody,
  idempotencyKeySchema,
  TICKET_ACTIONS,
  ticketFormSchema,
  type Actor,
  type TicketActionName,
  type TicketState,
  type TicketView,
} from '@woop/contracts';
import { parseInput, ProblemError, type VerifiedIdentity } from '@woop/service-kit';
import { DEFAULT_SLA_POLICIES } from '@woop/workflows';
import type { TicketRecord } from '../access';
import { ticketWindows } from '../config';
import { nextReference, requestType } from '../store';
import { TicketActionRefusedError } from '../ticket-client';
import type { RouteContext } from './context';

/** A customer sees the public side of a ticket only: no internal notes, assignments or SLA events. */
function forViewer(who: VerifiedIdentity, ticket: TicketState | TicketRecord) {
  if (who.role !== 'customer') return ticket;
  const { slaPolicy: _policy, escalationTeams: _teams, ...rest } = ticket;
  return { ...rest, activity: ticket.activity.filter((e) => e.visibility === 'public') };
}

function viewFor(who: VerifiedIdentity, view: TicketView) {
  return {
    ticket: forViewer(who, view.ticket),
    allowed: who.role === 'customer' ? view.allowed.customer : view.allowed[who.role],
  };
}

/** Create, read and act on tickets. */
export function ticketRoutes(ctx: RouteContext, r: Router): void {
  const { models, workflows, config, caller, visibleTicket } = ctx;
  r.post('/tickets', async (req, res) => {
    const who = caller(req);
    if (who.role === 'customer' && !who.organizationId) {
      throw new ProblemError(403, 'no_organization', 'Not allowed', 'Your account belongs to no organisation.');
    }
    const body = parseInput(createTicketBody, req.body);
    const type = await requestType(models, body.requestType);
    if (!type || !type.portals.includes(body.portal)) {
      throw new ProblemError(400, 'validation_failed', 'Invalid request', 'Unknown request type for this portal.', [
        { path: 'requestType', message: 'unknown request type' },
      ]);
    }
    const form = parseInput(ticketFormSchema(type), {
      summary: body.summary,
      description: body.description,
      fields: body.fields,
    });

    // Idempotency-Key: the same key from the same person returns the first ticket.
    const key = req.header('idempotency-key');
    const requestHash = createHash('sha256').update(JSON.stringify(req.body)).digest('hex');
    let reference: string | undefined;
    if (key !== undefined) {
      parseInput(idempotencyKeySchema, key, 'Idempotency-Key header');
      const seen = await models.Idempotency.findById(`${who.userId}:${key}`).lean();
      if (seen && seen.requestHash !== requestHash) {
        throw new ProblemError(
          422,
          'idempotency_key_reused',
          'Key already used',
          'This Idempotency-Key was used for another request.',
        );
      }
      reference = seen?.reference;
    }
    if (!reference) {
      reference = await nextReference(models);
      if (key !== undefined) {
        try {
          await models.Idempotency.create({ _id: `${who.userId}:${key}`, reference, requestHash });
        } catch (err) {
          if ((err as { code?: number }).code !== 11000) throw err;
          reference = (await models.Idempotency.findById(`${who.userId}:${key}`).lean())!.reference;
        }
      }
    }
    const policy = DEFAULT_SLA_POLICIES[type.slaPolicy];
    await workflows.open({
      reference,
      requestType: type.key,
      requestTypeVersion: type.version,
      portal: body.portal,
      organizationId: who.organizationId ?? 'woop',
      requester: { id: who.userId, name: who.name },
      summary: form.summary,
      description: form.description,
      fields: form.fields,
      confidential: type.confidential,
      defaultTeam: type.defaultTeam,
      priority: 'medium',
      slaPolicy: policy,
      windows: ticketWindows(config, policy.calendar),
    });
    const view = await workflows.view(reference);
    res.status(201).location(`/v1/tickets/${reference}`).json(viewFor(who, view));
  });

  r.get('/tickets/:reference', async (req, res) => {
    const who = caller(req);
    const ticket = await visibleTicket(who, String(req.params.reference));
    res.json({ ticket: forViewer(who, ticket) });
  });

  r.post('/tickets/:reference/actions/:action', async (req, res) => {
    const who = caller(req);
    const reference = String(req.params.reference);
    const action = String(req.params.action) as TicketActionName;
    if (!TICKET_ACTIONS.includes(action)) {
      throw new ProblemError(404, 'unknown_action', 'Unknown action', `There is no action "${action}".`);
    }
    await visibleTicket(who, reference);
    const actor: Actor = { id: who.userId, role: who.role, name: who.name };
    const key = req.header('idempotency-key');
    if (key !== undefined) parseInput(idempotencyKeySchema, key, 'Idempotency-Key header');
    try {
      const payload = (req.body as { payload?: unknown } | undefined)?.payload ?? {};
      const view = await workflows.act(reference, action, { actor, payload }, key && `${who.userId}:${key}`);
      res.json(viewFor(who, view));
    } catch (err) {
      if (err instanceof TicketActionRefusedError) {
        const { code, message, allowed, status } = err.refusal;
        throw new ProblemError(code === 'invalid_payload' ? 400 : 409, code, 'Action refused', message, undefined, {
          'X-Ticket-Status': status,
          'X-Allowed-Actions': allowed.join(','),
        });
      }
      throw err;
    }
  });
}
