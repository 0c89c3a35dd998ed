import { mailReceivedSchema, type EventEnvelope } from '@woop/contracts';
import { counter, isDuplicateKey, type Logger } from '@woop/service-kit';
import type { Dispatcher } from './mail/dispatcher';
import type { PlannedEmail } from './emails/plan';
import type { DeliveryKeys, NotificationModels } from '../model/store';

/**
 * The notifications side of the email channel (`mail.received`): a message to the support
 * address from someone who is not a known active customer opens nothing (the tickets service
 * acts on customers' only), so its sender gets one email explaining how to create an account on
 * the portal, in the message's language (French when it cannot be told) — at most one a day per
 * address. A reply (its token opened) is never answered: the tickets service acts on it or logs
 * why not, and answering replies is how mail loops start.
 *
 * Once a day: a row per address and UTC day of reception (`mail_answers`), claimed before the
 * email, under a keyed digest of the address. The email itself goes through the dispatcher, so
 * a redelivered event is one email (the delivery log's row per event and recipient).
 */

const answered = counter(
  'woop_mail_answers_total',
  'Messages to the support address from unknown senders, by what was done',
  ['outcome'],
);

export interface MailAnswerDeps {
  models: NotificationModels;
  keys: DeliveryKeys;
  dispatcher: Pick<Dispatcher, 'dispatch'>;
  logger: Logger;
  portalUrl: string;
}

/** The claim row of an address's answer on a day: never the address in clear. */
export const mailAnswerId = (keys: DeliveryKeys, address: string, day: string): string =>
  `no-account|${keys.digest(`mail:${address}`)}|${day}`;

export function mailAnswers({ models, keys, dispatcher, logger, portalUrl }: MailAnswerDeps) {
  return {
    async handle(event: EventEnvelope, heartbeat?: () => Promise<void>): Promise<void> {
      const parsed = mailReceivedSchema.safeParse(event.data);
      if (!parsed.success) {
        logger.error({ eventId: event.id }, 'mail.received outside its contract: no answer');
        return;
      }
      const mail = parsed.data;
      if (mail.reply) return; // never answer a reply
      const address = mail.from.address.trim().toLowerCase();
      // A known active customer's message opens a request (the tickets service): no answer here.
      const customer = await models.Recipient.exists({
        email: address,
        active: true,
        role: 'customer',
        status: { $nin: ['invited', 'deactivated', 'erased'] },
      });
      if (customer) return;
      const day = mail.receivedAt.slice(0, 10);
      const id = mailAnswerId(keys, address, day);
      try {
        await models.MailAnswer.create({ _id: id, eventId: event.id });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const row = await models.MailAnswer.findById(id).lean();
        // The same event again (a redelivery): the dispatcher sends its email once. Another
        // message the same day: answered already.
        if (row?.eventId !== event.id) {
          answered.inc({ outcome: 'already_answered_today' });
          logger.info({ messageKey: mail.messageKey, day }, 'unknown sender already answered today');
          return;
        }
      }
      const email: PlannedEmail = {
        key: `mail:${address}`,
        address,
        locale: mail.language ?? 'fr',
        template: 'mail-no-account',
        data: { signupLink: new URL('/signup', portalUrl).toString() },
      };
      await dispatcher.dispatch(event, [email], heartbeat);
      answered.inc({ outcome: 'answered' });
      logger.info({ messageKey: mail.messageKey, day }, 'unknown sender told how to create an account');
    },
  };
}
