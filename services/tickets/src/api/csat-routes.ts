import type { Router } from 'express';
import { csatLinkBody, csatLinkQuery, type CsatLinkView, type TicketState } from '@woop/contracts';
import { openCsatLinkToken, parseInput, type VerifiedIdentity } from '@woop/service-kit';
import { ratedThisClosure } from '@woop/ticket-domain';
import type { TicketRecord } from '../model/read-model';
import { requestClosed, type RouteContext } from './context';
import { problem } from './problems';
import { runAction } from './ticket-commands';

/**
 * The satisfaction links (CSAT) of the email sent when a request becomes TERMINÉ: the gateway's
 * `/csat` page asks what a link is for and sends its rating, for a visitor who may not be logged
 * in. The token is the credential (`csat-link.ts` in the service kit, opened with
 * MAIL_REPLY_KEY): it names the request and its requester, who is the one to rate. The workflow
 * takes one rating per closure, so a link's second use is refused with `already_rated`; a link
 * made before the request became TERMINÉ again does not open (a newer email has the link).
 */
export function csatRoutes(ctx: RouteContext, r: Router): void {
  const { models, config } = ctx;
  const keys = [config.MAIL_REPLY_KEY, ...config.MAIL_REPLY_PREVIOUS_KEYS];
  const invalid = () =>
    problem('csat_link_invalid', 'This satisfaction link is not valid (altered, or for an earlier answer).');

  /** The request a token is for, as the read model holds it, when the token still stands. */
  async function linked(token: string): Promise<{ ticket: TicketRecord; requester: VerifiedIdentity }> {
    const claims = openCsatLinkToken(keys, token);
    if (!claims) throw invalid();
    const ticket = (await models.tickets().findOne({ _id: claims.reference as never })) as TicketRecord | null;
    if (!ticket || ticket.requester.id !== claims.userId) throw invalid();
    // Became TERMINÉ again after the link was made: that closure's email has its own link.
    const lastDone = ticket.activity.findLast((e) => e.kind === 'status_changed' && e.to === 'done');
    if (lastDone && Date.parse(lastDone.at) > Date.parse(claims.issuedAt)) throw invalid();
    const requester: VerifiedIdentity = {
      userId: ticket.requester.id,
      role: 'customer',
      name: ticket.requester.name,
      email: '',
      orgAdmin: false,
      teams: [],
      locale: 'fr',
    };
    return { ticket, requester };
  }

  const stateOf = (ticket: TicketState | TicketRecord): CsatLinkView['state'] =>
    ticket.status === 'closed'
      ? 'closed'
      : ticket.status !== 'done'
        ? 'reopened'
        : ratedThisClosure(ticket)
          ? 'rated'
          : 'open';

  r.get('/csat', async (req, res) => {
    const { token } = parseInput(csatLinkQuery, req.query, 'query');
    const { ticket } = await linked(token);
    const view: CsatLinkView = {
      reference: ticket._id,
      summary: ticket.summary,
      state: stateOf(ticket),
      ...(ticket.csat && ratedThisClosure(ticket) ? { score: ticket.csat.score } : {}),
    };
    res.json(view);
  });

  r.post('/csat', async (req, res) => {
    const { token, score, comment } = parseInput(csatLinkBody, req.body ?? {});
    const { ticket, requester } = await linked(token);
    if (ticket.status === 'closed') throw requestClosed(ticket._id);
    // No idempotency id: a second use must meet the workflow's "once per closure", not repeat the first's answer.
    const payload = { score, ...(comment ? { comment } : {}) };
    const { view } = await runAction(ctx, requester, ticket._id, 'rate', payload, undefined);
    const answer: CsatLinkView = { reference: ticket._id, summary: ticket.summary, state: 'rated', score };
    res.json({ ...answer, version: view.ticket.version });
  });
}
