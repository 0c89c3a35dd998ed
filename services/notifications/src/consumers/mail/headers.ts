import { createHash } from 'node:crypto';
import { messageIdWithToken, replyAddress, replyTokenOf, type SealingKey } from '@woop/service-kit';
import type { PlannedEmail } from '../emails/plan';

/** Reply tokens of the emails about a request: MAIL_REPLY_KEY and the support mailbox. */
export interface ReplySettings {
  key: SealingKey;
  supportAddress: string;
}

/**
 * Message-ID derived from event and recipient: a duplicate from the one open window is
 * recognisable. An email about a request carries the recipient's reply token in it too
 * (`messageIdWithToken`), so a reply's In-Reply-To / References finds the request when a mail
 * client drops the Reply-To.
 */
export const messageIdFor = (eventId: string, key: string, token?: string): string =>
  messageIdWithToken(createHash('sha256').update(`${eventId}|${key}`).digest('hex').slice(0, 32), token);

/** The reply token and Reply-To of an email about a request to a person; none for anything else. */
export function replyHeadersOf(
  email: Pick<PlannedEmail, 'replyFor'>,
  reply: ReplySettings,
): { token: string; replyTo: string } | undefined {
  // A reference that is no request number (an event outside the contract's) gets no token: the
  // email goes without one rather than failing for good.
  const token = email.replyFor && replyTokenOf(reply.key, email.replyFor.reference, email.replyFor.userId);
  return token ? { token, replyTo: replyAddress(reply.supportAddress, token) } : undefined;
}
