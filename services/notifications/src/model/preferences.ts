import type { NotificationModels } from './store';

/**
 * What people asked to receive: "Notifications activées" on a request page, per person and
 * ticket, and an agent's switch for the agents' emails. Both on unless turned off.
 */

/** An agent's switch for the agents' emails; cannot meet a `${userId}:${reference}` key. */
export const agentEmailsPreferenceId = (userId: string) => `agent-emails:${userId}`;

const ticketPreferenceId = (userId: string, reference: string) => `${userId}:${reference}`;

export async function wantsTicketEmails(models: NotificationModels, userId: string, reference: string) {
  return (await models.Preference.findById(ticketPreferenceId(userId, reference)).lean())?.enabled ?? true;
}

export async function setTicketEmails(models: NotificationModels, userId: string, reference: string, enabled: boolean) {
  await models.Preference.updateOne(
    { _id: ticketPreferenceId(userId, reference) },
    { $set: { userId, reference, enabled } },
    { upsert: true },
  );
}

export async function wantsAgentEmails(models: NotificationModels, userId: string) {
  return (await models.Preference.findById(agentEmailsPreferenceId(userId)).lean())?.enabled ?? true;
}

export async function setAgentEmails(models: NotificationModels, userId: string, enabled: boolean) {
  await models.Preference.updateOne(
    { _id: agentEmailsPreferenceId(userId) },
    { $set: { userId, enabled } },
    { upsert: true },
  );
}
