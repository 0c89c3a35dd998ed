import { agentEmailsBody, agentEmailsPreference } from '@woop/contracts';
import { forward, type ApiRoute } from './route';

/** The caller's own notification settings that are not about one request (those are under /tickets). */
export const preferenceRoutes: ApiRoute[] = (['get', 'put'] as const).map((method): ApiRoute => ({
  method,
  path: '/preferences/agent-emails',
  operationId: method === 'get' ? 'getAgentEmails' : 'setAgentEmails',
  summary:
    method === 'get'
      ? "Whether I get the agents' emails (agents and admins)"
      : "Turn the agents' emails on or off, for me (agents and admins)",
  description:
    "The agents' emails: a new request in a queue of one of my teams; on a request assigned to me, a " +
    "customer's comment or the information they provided, an answer rejected, a rejection contested, a " +
    'reopening (to the whole team while nobody is assigned). On by default.',
  tag: 'Notifications',
  auth: 'user',
  ...(method === 'put' ? { body: agentEmailsBody } : {}),
  responses: { 200: { description: 'My setting', schema: agentEmailsPreference } },
  errors: { 403: ['forbidden'] },
  handle: forward('notifications', () => '/v1/preferences/agent-emails'),
}));
