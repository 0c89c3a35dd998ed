import { z } from 'zod';

/**
 * The email channel's one event: `mail.received`, published by the inbound service for every
 * message it read from the support mailbox and accepted (auto-replies, bounces, oversized or
 * malformed messages, forged reply tokens and senders over their rate are refused there and
 * never published). Identified by the message key (keyed by the request a reply answers: see
 * `mailEventSubject`), so a message read twice (a crash
 * between publishing and moving it out of the inbox) is one event to its consumers:
 * - tickets: a reply (a `reply` token that opened) becomes a public comment, an answer or the
 *   information asked for, by the sender, on that request; a message to the support address from
 *   a known active customer opens a request "Poser une question";
 * - notifications: a message to the support address from an unknown or deactivated sender gets
 *   one email (at most once a day per address) explaining how to create an account.
 */
export const MAIL_RECEIVED = 'mail.received';

/** Largest attachment kept from an email, and largest message read (bigger: refused whole). */
export const MAIL_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
export const MAIL_MESSAGE_MAX_BYTES = 15 * 1024 * 1024;

export const mailAttachmentSchema = z.object({
  filename: z.string().min(1).max(500),
  contentType: z.string().min(1).max(200),
  size: z.number().int().min(0),
  /** The file's bytes, base64. */
  contentBase64: z.string(),
});

export const mailReceivedSchema = z.object({
  /** sha256 (hex) of the Message-ID, or of the raw message when it has none: the idempotency key. */
  messageKey: z.string().regex(/^[0-9a-f]{64}$/),
  /** The Message-ID as sent, when there was one. */
  messageId: z.string().max(998).optional(),
  /** The sender (From), lower-cased address. */
  from: z.object({ address: z.string().min(3).max(320), name: z.string().max(500).optional() }),
  subject: z.string().max(998),
  /** The whole body as text (an HTML-only message turned into text; nothing fetched). */
  text: z.string(),
  /** What the sender wrote above the quoted history and the signature (replies). */
  visibleText: z.string(),
  /** The language the message is written in, when it can be told. */
  language: z.enum(['fr', 'en']).optional(),
  /**
   * The reply token that opened (plus-address of a recipient, or the Message-ID it answers):
   * the request and a tag of the recipient the email was sent to. Absent: a new message to
   * the support address.
   */
  reply: z.object({ reference: z.string(), userTag: z.string() }).optional(),
  attachments: z.array(mailAttachmentSchema).max(20),
  /** When the reader took it (the Date header is the sender's word). */
  receivedAt: z.iso.datetime(),
});

export type MailReceived = z.infer<typeof mailReceivedSchema>;
export type MailAttachment = z.infer<typeof mailAttachmentSchema>;

/** The event id of a message: one per message key, whoever reads it and however often. */
export const mailEventId = (messageKey: string): string => `mail:${messageKey}`;

/**
 * The event's subject, its Kafka key: the request a reply answers (so one request's emailed
 * replies stay in order on one partition, and are handled in the order they were read while
 * the partitions are consumed side by side), the message key for a new message.
 */
export const mailEventSubject = (mail: Pick<MailReceived, 'messageKey' | 'reply'>): string =>
  mail.reply?.reference ?? mail.messageKey;

/**
 * The line at the top of every notification email about a request: what a reply writes above it
 * is the reply; the reader cuts a reply at the first of these lines it finds (any language: a
 * customer may answer an English email in French), before the quoted history.
 */
export const REPLY_ABOVE_LINE = {
  fr: '## Répondez au-dessus de cette ligne ##',
  en: '## Reply above this line ##',
} as const;
