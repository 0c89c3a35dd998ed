import { createHash } from 'node:crypto';
import {
  mailReceivedSchema,
  TICKET_TEXT_MAX,
  type EventEnvelope,
  type MailReceived,
  type Portal,
  type RequestTypeDefinition,
  type TicketActionName,
  type TicketState,
} from '@woop/contracts';
import { counter, ProblemError, replyUserTag, type Logger, type VerifiedIdentity } from '@woop/service-kit';
import { mayTake } from './access';
import { checkFileContent, checkFileKind, checkQuota, storeAttachment } from './attachment-checks';
import type { RouteContext } from './context';
import { openRequest, runAction } from './ticket-commands';
import { PEOPLE_COLLECTION, type PersonRecord } from '../model/people';
import type { TicketRecord } from '../model/read-model';
import { requestType } from '../model/store';

/**
 * The tickets side of the email channel: `mail.received` events (published by the inbound
 * reader, which already refused auto-replies, bounces, forged tokens and oversized messages).
 *
 * - A reply (its token opened to a request and a recipient's tag): the sender, found by address in
 *   the people directory, must be the active person the token was made for and still see the
 *   request; then they act as on the page — a customer's reply is a comment, or the information
 *   asked for while the request waits for them; an agent's or an admin's is a public answer (never
 *   an internal note). On RÉSOLU or TERMINÉ it is a comment (never a validation or a reopening);
 *   a closed request takes nothing.
 * - A new message to the support address: from an active customer, a request "Poser une
 *   question" in their portal; from anyone else, nothing here (notifications explains how to
 *   create an account).
 *
 * Every entry is marked `channel: 'email'`. Idempotent by the message key: the workflow update
 * id and the create's idempotency row derive from it, attachments' ids too, so an event read
 * twice is one comment, one request, each file once. What is not acted on is logged with its
 * reason (never the address) and counted in `woop_mail_ignored_total{reason}`.
 */

export type IgnoreReason =
  | 'invalid_event'
  | 'empty'
  | 'unknown_sender'
  | 'inactive_sender'
  | 'not_the_recipient'
  | 'not_visible'
  | 'request_closed'
  | 'refused'
  | 'not_customer'
  | 'confidential_type';

const ignoredTotal = counter('woop_mail_ignored_total', 'Emails the tickets service did not act on, by reason', [
  'reason',
]);
const actedTotal = counter('woop_mail_acted_total', 'Emails the tickets service acted on, by what they became', [
  'kind',
]);
const attachmentsRefused = counter(
  'woop_mail_attachments_refused_total',
  "Emails' attachments not kept (the checks of uploads), by problem code",
  ['code'],
);

/** The request type an email to the support address opens ("Poser une question"). */
export const EMAIL_REQUEST_TYPE = 'ask-a-question';

/**
 * Whether a request of this type may be opened by email: never a confidential one (a security
 * report or a personal-data request goes through the portal, where its form and its confidential
 * handling are explained; an email's sender is only as sure as the mailbox they write from).
 */
export const mayOpenByEmail = (type: Pick<RequestTypeDefinition, 'confidential'>): boolean => !type.confidential;

/**
 * What an emailed reply becomes on a request, for the person it comes from (already known to
 * see it), or why it becomes nothing.
 */
export function replyKind(
  who: VerifiedIdentity,
  ticket: Pick<TicketState, 'status' | 'requester' | 'sharedWith' | 'activity' | 'organizationId'>,
): { action: Extract<TicketActionName, 'comment' | 'provideInformation' | 'reply'> } | { ignore: IgnoreReason } {
  if (ticket.status === 'closed') return { ignore: 'request_closed' };
  if (who.role !== 'customer') return { action: 'reply' };
  if (ticket.status === 'waiting_for_customer' && mayTake(who, ticket, 'provideInformation')) {
    return { action: 'provideInformation' };
  }
  // Anything else, RÉSOLU and TERMINÉ included: a comment, never a decision on the request.
  return { action: 'comment' };
}

/** The text an email says: what is above the quoted history, else the whole body; cut at the limit. */
export function bodyOf(mail: Pick<MailReceived, 'visibleText' | 'text'>): string | undefined {
  const text = mail.visibleText.trim() || mail.text.trim();
  return text ? text.slice(0, TICKET_TEXT_MAX) : undefined;
}

/** The summary of a request opened by email: its subject, or "(sans objet)" / "(no subject)". */
export function summaryOf(mail: Pick<MailReceived, 'subject' | 'language'>): string {
  const subject = mail.subject.replace(/\s+/g, ' ').trim().slice(0, 255).trim();
  return subject || (mail.language === 'en' ? '(no subject)' : '(sans objet)');
}

/** The person as the API would know them from the gateway's signed identity. */
export const identityOf = (person: PersonRecord): VerifiedIdentity => ({
  userId: person._id,
  role: person.role ?? 'customer',
  name: person.name,
  email: person.email ?? '',
  ...(person.organizationId ? { organizationId: person.organizationId } : {}),
  orgAdmin: false,
  teams: person.teams ?? [],
  locale: 'fr',
});

/**
 * Whether `err` is a refusal of what the email asks (a problem of the API's, 4xx): then it is
 * logged and skipped. Anything else — Temporal or the database unavailable, a 5xx — throws, and
 * the message is read again (kafkajs retries it; everything it makes is idempotent).
 */
const refusal = (err: unknown): err is ProblemError => err instanceof ProblemError && err.status < 500;

/** The id an email's attachment is stored under: the same whenever the message is read again. */
const attachmentId = (messageKey: string, index: number) =>
  createHash('sha256').update(`${messageKey}|attachment|${index}`).digest('hex').slice(0, 24);

export interface MailHandler {
  handle(event: EventEnvelope): Promise<void>;
}

export function mailHandler(ctx: RouteContext, logger: Logger): MailHandler {
  const { models } = ctx;
  const people = () => models.native().collection<PersonRecord>(PEOPLE_COLLECTION);

  const ignore = (mail: { messageKey?: string }, reason: IgnoreReason, extra: Record<string, unknown> = {}) => {
    ignoredTotal.inc({ reason });
    logger.info({ messageKey: mail.messageKey, reason, ...extra }, 'email not acted on');
  };

  /** The email's attachments on the request, each under the checks of uploads; a refused one is skipped. */
  async function attach(mail: MailReceived, who: VerifiedIdentity, reference: string) {
    for (const [index, file] of mail.attachments.entries()) {
      const contentType = file.contentType.split(';')[0]!.trim().toLowerCase();
      try {
        const data = Buffer.from(file.contentBase64, 'base64');
        checkFileKind(contentType, file.filename);
        checkFileContent(contentType, data);
        await checkQuota(ctx, reference, data.length, 1);
        await storeAttachment(ctx, who, reference, {
          id: attachmentId(mail.messageKey, index),
          filename: file.filename,
          contentType,
          data,
        });
      } catch (err) {
        if (!refusal(err)) throw err;
        attachmentsRefused.inc({ code: err.code });
        logger.info(
          { messageKey: mail.messageKey, reference, index, code: err.code },
          "an email's attachment was not kept",
        );
      }
    }
  }

  async function reply(mail: MailReceived, token: NonNullable<MailReceived['reply']>) {
    const candidates = await people().find({ email: mail.from.address }).toArray();
    if (candidates.length === 0) return ignore(mail, 'unknown_sender', { reference: token.reference });
    // The token names the person it was sent to; the sender must be that person.
    const person = candidates.find((p) => replyUserTag(p._id) === token.userTag);
    if (!person) return ignore(mail, 'not_the_recipient', { reference: token.reference });
    if (person.status !== 'active') return ignore(mail, 'inactive_sender', { reference: token.reference });
    const who = identityOf(person);
    const body = bodyOf(mail);
    if (!body) return ignore(mail, 'empty', { reference: token.reference });
    let ticket: TicketRecord | TicketState;
    try {
      ticket = await ctx.visibleTicket(who, token.reference);
    } catch (err) {
      if (err instanceof ProblemError && err.code === 'ticket_not_found') {
        return ignore(mail, 'not_visible', { reference: token.reference });
      }
      throw err;
    }
    const kind = replyKind(who, ticket);
    if ('ignore' in kind) return ignore(mail, kind.ignore, { reference: token.reference });
    try {
      await runAction(
        ctx,
        who,
        token.reference,
        kind.action,
        { body, channel: 'email' },
        `${who.userId}:mail:${mail.messageKey}`,
      );
    } catch (err) {
      if (!refusal(err)) throw err;
      const reason = err.code === 'request_closed' ? 'request_closed' : 'refused';
      return ignore(mail, reason, { reference: token.reference, code: err.code });
    }
    actedTotal.inc({ kind: kind.action });
    logger.info({ messageKey: mail.messageKey, reference: token.reference, action: kind.action }, 'emailed reply');
    await attach(mail, who, token.reference);
  }

  /** The portal a customer's emailed request goes to: the one of their latest request, else the type's first. */
  async function portalOf(userId: string, type: RequestTypeDefinition): Promise<Portal | undefined> {
    const latest = await models
      .tickets()
      .find({ 'requester.id': userId }, { projection: { portal: 1 } })
      .sort({ createdAt: -1 })
      .limit(1)
      .toArray();
    const portal = latest[0]?.portal as Portal | undefined;
    return portal && type.portals.includes(portal) ? portal : type.portals[0];
  }

  async function newMessage(mail: MailReceived) {
    const candidates = await people().find({ email: mail.from.address }).toArray();
    const person =
      candidates.find((p) => p.status === 'active' && p.role === 'customer') ??
      candidates.find((p) => p.status === 'active');
    if (!person) return ignore(mail, candidates.length === 0 ? 'unknown_sender' : 'inactive_sender');
    if (person.role !== 'customer') return ignore(mail, 'not_customer');
    const who = identityOf(person);
    const type = await requestType(models, EMAIL_REQUEST_TYPE);
    if (!type || !mayOpenByEmail(type)) return ignore(mail, 'confidential_type');
    const portal = await portalOf(person._id, type);
    if (!portal) return ignore(mail, 'refused', { code: 'no_portal' });
    const summary = summaryOf(mail);
    const description = mail.text.trim().slice(0, 20_000);
    let reference: string;
    try {
      ({ reference } = await openRequest(
        ctx,
        who,
        { requestType: type.key, portal, summary, description, fields: {} },
        {
          key: `mail:${mail.messageKey}`,
          requestHash: createHash('sha256').update(`mail|${mail.messageKey}`).digest('hex'),
          channel: 'email',
        },
      ));
    } catch (err) {
      if (!refusal(err)) throw err;
      return ignore(mail, 'refused', { code: err.code });
    }
    actedTotal.inc({ kind: 'create' });
    logger.info({ messageKey: mail.messageKey, reference }, 'request opened by email');
    await attach(mail, who, reference);
  }

  return {
    async handle(event) {
      const parsed = mailReceivedSchema.safeParse(event.data);
      if (!parsed.success) {
        return ignore({ messageKey: (event.data as { messageKey?: string })?.messageKey }, 'invalid_event', {
          eventId: event.id,
        });
      }
      const mail = { ...parsed.data, from: { ...parsed.data.from, address: parsed.data.from.address.toLowerCase() } };
      if (mail.reply) await reply(mail, mail.reply);
      else await newMessage(mail);
    },
  };
}
