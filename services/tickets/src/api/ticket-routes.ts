import type { Router } from 'express';
import type { mongo } from 'mongoose';
import {
  hasOrganization,
  isSharedWith,
  mayShare,
  mayUnshare,
  FATE_ACTIONS,
  ACTIONS_BY_ROUTE,
  createTicketBody,
  idempotencyKeySchema,
  queuePageQuery,
  queueParams,
  QUEUES,
  referenceParams,
  shareBody,
  ticketActionBodies,
  ticketListQuery,
  unshareParams,
  type Role,
  type TicketActionName,
  type TicketActionPayloads,
  type TicketState,
  type TicketView,
} from '@woop/contracts';
import { parseInput, type VerifiedIdentity } from '@woop/service-kit';
import { allowedByRole } from '@woop/ticket-domain';
import { mayTake } from './access';
import { findPeople, peopleOf, withPeople } from '../model/people';
import type { TicketRecord } from '../model/read-model';
import { listTickets } from './queries';
import { queueCounts, queuePage } from './queue-queries';
import { asProblem, openRequest, requestHashOf, runAction } from './ticket-commands';
import { refuseIfClosed, type RouteContext } from './context';
import { problem } from './problems';

type AnyTicket = TicketState | TicketRecord;
const referenceOf = (t: AnyTicket) => ('_id' in t ? t._id : t.reference);

/**
 * What `who` may do now: the workflow's rules for their role, less what the service keeps for
 * some people (deciding a request's fate, sharing it, removing someone else from "Partagé avec":
 * see `mayTake`) and sharing a request of no organisation (there is nobody to share it with).
 * `unshare` is offered to the people who may remove someone: the requester and the team, or a
 * person it is shared with (themself).
 */
function allowedFor(who: VerifiedIdentity, ticket: AnyTicket, allowed?: Record<Role, TicketActionName[]>) {
  const byRole = allowed ?? allowedByRole({ ...ticket, reference: referenceOf(ticket) });
  const mine = (hasOrganization(ticket) ? byRole[who.role] : byRole[who.role].filter((a) => a !== 'share')).filter(
    (a) => mayTake(who, ticket, a),
  );
  if (mayShare(who, ticket)) return mine;
  return mine.filter((a) => a !== 'unshare' || isSharedWith(who, ticket));
}

/**
 * The ticket as `who` reads it. Customers get the public side only: no internal notes,
 * assignments' SLA internals or escalation teams. Read-model bookkeeping never leaves.
 */
function present(who: VerifiedIdentity, ticket: AnyTicket) {
  const {
    _id: _ignored,
    projectedAt: _p,
    activityCount: _n,
    ...rest
  } = ticket as TicketRecord & { projectedAt?: Date; activityCount?: number };
  const base = { ...rest, reference: referenceOf(ticket), sharedWith: ticket.sharedWith ?? [] };
  if (who.role !== 'customer') return base;
  const { slaPolicy: _policy, escalationTeams: _teams, ...pub } = base;
  return { ...pub, activity: ticket.activity.filter((e) => e.visibility === 'public') };
}

/**
 * A ticket straight from the workflow (create, action, before its first projection) with the
 * directory applied, as the read model has it: current names, erased people anonymised.
 */
async function fromWorkflow(db: mongo.Db, state: TicketState): Promise<TicketState> {
  return withPeople(state, await findPeople(db, peopleOf(state)));
}

/** Create, list, read and act on tickets; agents' queues. */
export function ticketRoutes(ctx: RouteContext, r: Router): void {
  const { models, caller, visibleTicket, projected } = ctx;
  const db = models.native;
  /** The answer to a create or an action: the ticket at its version, as the read model holds it. */
  const presentChange = async (who: VerifiedIdentity, reference: string, view: TicketView, deadline: number) => {
    const found = await projected(reference, view, deadline);
    const ticket = '_id' in found ? found : await fromWorkflow(db(), found);
    return { ticket: present(who, ticket), allowed: allowedFor(who, ticket) };
  };

  /**
   * Runs an action through the workflow (`runAction`, shared with the email channel) and answers
   * with the ticket at the version it made, once the read model holds it.
   */
  async function act<A extends TicketActionName>(
    who: VerifiedIdentity,
    reference: string,
    action: A,
    payload: TicketActionPayloads[A],
    idempotencyKey: string | undefined,
  ) {
    if (idempotencyKey !== undefined) parseInput(idempotencyKeySchema, idempotencyKey, 'Idempotency-Key header');
    const { view, deadline } = await runAction(
      ctx,
      who,
      reference,
      action,
      payload,
      idempotencyKey && `${who.userId}:${idempotencyKey}`,
    );
    try {
      return await presentChange(who, reference, view, deadline);
    } catch (err) {
      throw asProblem(err, reference);
    }
  }

  /**
   * A request is assigned to someone who works requests: an active agent (of the team it is
   * assigned to, when the directory knows their teams) or an admin. Anyone else would receive
   * agents' emails and links, and a confidential request could go to an agent who may not read it.
   */
  async function checkAssignee(agentId: string, team: string | undefined) {
    const person = (await findPeople(db(), [agentId])).get(agentId);
    if (!person || person.status !== 'active' || (person.role !== 'agent' && person.role !== 'admin')) {
      throw problem('assignee_not_agent', 'A request is assigned to an active agent (or an admin).', [
        { path: 'payload.agentId', message: 'not an active agent' },
      ]);
    }
    if (person.role === 'agent' && team !== undefined && person.teams !== undefined && !person.teams.includes(team)) {
      throw problem('assignee_not_in_team', `This agent is not in the team ${team}.`, [
        { path: 'payload.agentId', message: `not in the team ${team}` },
      ]);
    }
  }

  r.post('/tickets', async (req, res) => {
    const who = caller(req);
    const body = parseInput(createTicketBody, req.body);
    const key = req.header('idempotency-key');
    if (key !== undefined) parseInput(idempotencyKeySchema, key, 'Idempotency-Key header');
    // The same create path as a request opened by email (`openRequest`).
    const { reference, view, deadline } = await openRequest(ctx, who, body, {
      key,
      requestHash: requestHashOf(req.body),
    });
    res
      .status(201)
      .location(`/v1/tickets/${reference}`)
      .json(await presentChange(who, reference, view, deadline));
  });

  r.get('/tickets', async (req, res) => {
    const who = caller(req);
    const query = parseInput(ticketListQuery, req.query, 'query');
    res.json(await listTickets(db(), who, query));
  });

  r.get('/tickets/:reference', async (req, res) => {
    const who = caller(req);
    const { reference } = parseInput(referenceParams, req.params, 'path');
    const found = await visibleTicket(who, reference);
    const ticket = '_id' in found ? found : await fromWorkflow(db(), found);
    res.json({ ticket: present(who, ticket), allowed: allowedFor(who, ticket) });
  });

  r.post('/tickets/:reference/actions/:action', async (req, res) => {
    const who = caller(req);
    const { reference } = parseInput(referenceParams, req.params, 'path');
    const action = ACTIONS_BY_ROUTE.find((a) => a === req.params.action);
    if (!action) {
      throw problem('unknown_action', `There is no action "${req.params.action}".`);
    }
    const ticket = await visibleTicket(who, reference);
    refuseIfClosed(ticket, reference);
    if (!mayTake(who, ticket, action)) {
      // A colleague of the requester (or someone shared with by another than the requester):
      // they read and comment, the requester and those the requester shared it with decide.
      // Refused like a role the workflow does not allow, with what they may do.
      throw problem(
        'role_not_allowed',
        FATE_ACTIONS.has(action)
          ? `Only the requester and the people the requester shared the request with may ${action} it.`
          : `Only the requester and the team may ${action} the request.`,
        undefined,
        { 'X-Ticket-Status': ticket.status, 'X-Allowed-Actions': allowedFor(who, ticket).join(',') },
      );
    }
    // The action's own payload schema (the contract's): the workflow would refuse the same.
    const { payload } = parseInput(ticketActionBodies[action], req.body ?? {});
    const assignment =
      action === 'assign'
        ? (payload as TicketActionPayloads['assign'])
        : action === 'qualify'
          ? (payload as TicketActionPayloads['qualify']).assignment
          : undefined;
    if (assignment?.agentId !== undefined)
      await checkAssignee(assignment.agentId, assignment.team ?? ticket.assignment.team);
    res.json(await act(who, reference, action, payload, req.header('idempotency-key')));
  });

  // "Partager": people of the requester's organisation, by id; names come from the directory.
  r.post('/tickets/:reference/share', async (req, res) => {
    const who = caller(req);
    const { reference } = parseInput(referenceParams, req.params, 'path');
    const ticket = await visibleTicket(who, reference);
    refuseIfClosed(ticket, reference);
    if (!mayShare(who, ticket)) {
      // A colleague sharing a request with themself would take its requester's decisions.
      throw problem('forbidden', 'Only the requester and the team share a request.');
    }
    const { userIds } = parseInput(shareBody, req.body ?? {});
    if (!hasOrganization(ticket)) {
      throw problem(
        'ticket_without_organization',
        'This request belongs to no organisation: there is nobody of the same organisation to share it with.',
      );
    }
    const people = await findPeople(db(), userIds);
    const errors = userIds.flatMap((id, i) => {
      const p = people.get(id);
      const ok = p && p.status === 'active' && p.role === 'customer' && p.organizationId === ticket.organizationId;
      return ok ? [] : [{ path: `userIds.${i}`, message: "not an active member of the request's organisation" }];
    });
    if (errors.length > 0) {
      throw problem('validation_failed', 'Some people cannot be added.', errors);
    }
    const payload = { people: userIds.map((id) => ({ id, name: people.get(id)!.name })) };
    res.json(await act(who, reference, 'share', payload, req.header('idempotency-key')));
  });

  r.delete('/tickets/:reference/share/:userId', async (req, res) => {
    const who = caller(req);
    const { reference, userId } = parseInput(unshareParams, req.params, 'path');
    const ticket = await visibleTicket(who, reference);
    refuseIfClosed(ticket, reference);
    if (!mayUnshare(who, ticket, userId)) {
      throw problem('forbidden', 'Only the requester or the team removes other people.');
    }
    if (!(ticket.sharedWith ?? []).some((p) => p.id === userId)) {
      throw problem('not_shared', 'This request is not shared with that person.');
    }
    res.json(await act(who, reference, 'unshare', { userId }, req.header('idempotency-key')));
  });

  // Agents' queues (and admins'): counts for the side bar, then a page of one queue.
  const agentOnly = (who: VerifiedIdentity) => {
    if (who.role === 'customer') {
      throw problem('forbidden', 'Queues are for the support team.');
    }
  };
  r.get('/queues', async (req, res) => {
    const who = caller(req);
    agentOnly(who);
    res.json({ counts: await queueCounts(db(), who, QUEUES) });
  });
  r.get('/queues/:queue', async (req, res) => {
    const who = caller(req);
    agentOnly(who);
    const { queue } = parseInput(queueParams, req.params, 'path');
    const opts = parseInput(queuePageQuery, req.query, 'query');
    res.json(await queuePage(db(), who, queue, opts));
  });
}
