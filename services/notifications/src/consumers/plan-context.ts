import { linkSealContext } from '@woop/contracts';
import { csatLinkToken, unseal, type Logger } from '@woop/service-kit';
import type { NotificationsConfig } from '../config';
import { findRecipient, findTeamAgents } from '../model/directory';
import { wantsAgentEmails, wantsTicketEmails } from '../model/preferences';
import type { NotificationModels } from '../model/store';
import type { PlanContext } from './emails/plan';

/** What the planner reads: the directory, the preferences, the team mailboxes and the keys. */
export function planContext(config: NotificationsConfig, models: NotificationModels, logger: Logger): PlanContext {
  return {
    portalUrl: config.PORTAL_URL,
    recipient: (id) => findRecipient(models, id),
    wantsEmails: (userId, reference) => wantsTicketEmails(models, userId, reference),
    teamAgents: (team) => findTeamAgents(models, team),
    wantsAgentEmails: (userId) => wantsAgentEmails(models, userId),
    teamAddress: (team) => config.TEAM_EMAILS[team],
    linkTtl: { signupMinutes: 30, inviteDays: 3 },
    csatToken: (claims) => csatLinkToken(config.MAIL_REPLY_KEY, claims),
    openLink: (type, address, sealedLink) =>
      unseal(
        sealedLink,
        [config.LINK_SEALING_KEY, ...config.LINK_SEALING_PREVIOUS_KEYS],
        linkSealContext(type, address),
      ),
    unreadable: (event, err) =>
      logger.error({ err, eventId: event.id, type: event.type }, 'event outside its contract: no email'),
  };
}
