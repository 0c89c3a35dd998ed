import express from 'express';
import { agentEmailsBody, deliveryQuery, preferenceBody } from '@woop/contracts';
import { parseInput, requireIdentity } from '@woop/service-kit';
import { setAgentEmails, setTicketEmails, wantsAgentEmails, wantsTicketEmails } from '../model/preferences';
import { visibleDeliveries, type NotificationModels } from '../model/store';
import { problem } from './problems';

/**
 * The HTTP API under `/v1`: the delivery log, the per-ticket notification preference and
 * agents' on/off switch for their own emails, each for the caller the gateway signed.
 */
export function notificationRoutes(models: NotificationModels, internalAuthSecret: string) {
  const caller = (req: express.Request) => requireIdentity(req, internalAuthSecret);
  return (app: express.Express) => {
    const r = express.Router();
    r.use(express.json({ limit: '4kb' }));
    // The delivery log: what was sent to whom, when, for which event (agents and admins), of
    // the tickets the caller may see.
    r.get('/deliveries', async (req, res) => {
      const who = caller(req);
      if (who.role === 'customer') throw problem('forbidden', 'Agents only.');
      const q = parseInput(deliveryQuery, req.query, 'query');
      const filter = {
        ...(q.eventId ? { eventId: q.eventId } : {}),
        ...(q.reference ? { reference: q.reference } : {}),
        ...(q.address ? { address: q.address.toLowerCase() } : {}),
        ...visibleDeliveries(who),
      };
      const items = await models.Delivery.find(filter).sort({ createdAt: -1 }).limit(q.limit).lean();
      res.json({ items });
    });
    // "Notifications activées" on a request page, for the caller.
    r.put('/preferences/tickets/:reference', async (req, res) => {
      const who = caller(req);
      const { enabled } = parseInput(preferenceBody, req.body);
      const reference = String(req.params.reference);
      await setTicketEmails(models, who.userId, reference, enabled);
      res.json({ reference, enabled });
    });
    r.get('/preferences/tickets/:reference', async (req, res) => {
      const who = caller(req);
      const reference = String(req.params.reference);
      res.json({ reference, enabled: await wantsTicketEmails(models, who.userId, reference) });
    });
    // The agents' emails (new requests of their teams, customers' moves on their tickets), for the caller.
    const agentOnly = (req: express.Request) => {
      const who = caller(req);
      if (who.role === 'customer') throw problem('forbidden', 'Agents only.');
      return who;
    };
    r.get('/preferences/agent-emails', async (req, res) => {
      res.json({ enabled: await wantsAgentEmails(models, agentOnly(req).userId) });
    });
    r.put('/preferences/agent-emails', async (req, res) => {
      const who = agentOnly(req);
      const { enabled } = parseInput(agentEmailsBody, req.body);
      await setAgentEmails(models, who.userId, enabled);
      res.json({ enabled });
    });
    app.use('/v1', r);
  };
}
