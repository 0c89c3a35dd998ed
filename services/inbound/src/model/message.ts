import { createHash } from 'node:crypto';
import {
  MAIL_ATTACHMENT_MAX_BYTES,
  MAIL_MESSAGE_MAX_BYTES,
  mailReceivedSchema,
  type MailAttachment,
  type MailReceived,
} from '@woop/contracts';
import {
  openReplyToken,
  tokenOfAddress,
  tokensOfReferences,
  type ReplyClaims,
  type SealingKey,
} from '@woop/service-kit';
import { simpleParser, type ParsedMail } from 'mailparser';
import { htmlToText, languageOf, stripReply } from './text';

/** Why a message is refused (the `reason` label of woop_inbound_messages_total; said in the log). */
export const REFUSALS = ['oversized', 'malformed', 'auto-reply', 'bounce', 'bulk', 'loop', 'forged-token'] as const;
export type Refusal = (typeof REFUSALS)[number];

export type Read = { kind: 'refused'; reason: Refusal; messageKey: string } | { kind: 'mail'; mail: MailReceived };

export interface ReadOptions {
  /** The support address: its plus-addresses carry reply tokens; mail from it is a loop. */
  supportAddress: string;
  /** Other addresses of ours (the mailbox's login) whose mail is a loop too. */
  ownAddresses?: readonly string[];
  /** MAIL_REPLY_KEY, then the previous keys of a rotation. */
  keys: readonly SealingKey[];
  now?: Date;
}

const ATTACHMENTS_MAX = 20;
/** A published event above this is refused as oversized (the topic takes 24 MB). */
const EVENT_MAX_BYTES = 20 * 1024 * 1024;

/** The Message-ID as a key: brackets and folding whitespace dropped, lower-cased. */
export function normalisedMessageId(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const compact = value.replace(/\s+/g, '');
  const id = (/<([^<>]+)>/.exec(compact)?.[1] ?? compact).toLowerCase();
  return id.length > 0 ? id : undefined;
}

/** sha256 hex of the normalised Message-ID, or of the raw message when it has none. */
export function messageKeyOf(messageId: string | undefined, raw: Buffer): string {
  const id = normalisedMessageId(messageId);
  return createHash('sha256')
    .update(id ? `message-id:${id}` : raw)
    .digest('hex');
}

/** The unfolded values of a header (every occurrence), from the raw header lines. */
function headerValues(parsed: ParsedMail, name: string): string[] {
  return parsed.headerLines
    .filter((h) => h.key === name)
    .map((h) =>
      h.line
        .slice(h.line.indexOf(':') + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim(),
    );
}

const ADDRESS = /[^\s<>,;:"'()[\]]+@[^\s<>,;:"'()[\]]+/g;
const addressesOf = (values: string[]) => values.flatMap((v) => v.match(ADDRESS) ?? []).map((a) => a.toLowerCase());

/** The reason an automatic or unwanted message is refused, if it is one. */
export function automaticReason(parsed: ParsedMail, from: string): Refusal | undefined {
  const one = (name: string) => headerValues(parsed, name);
  const contentType = one('content-type')[0]?.toLowerCase() ?? '';
  const local = from.slice(0, from.lastIndexOf('@'));
  if (
    contentType.startsWith('multipart/report') ||
    /^(mailer-daemon|postmaster)$/i.test(local) ||
    one('return-path').some((v) => /^<\s*>$/.test(v))
  ) {
    return 'bounce';
  }
  if (
    one('auto-submitted').some((v) => v.split(';')[0]!.trim().toLowerCase() !== 'no') ||
    one('x-autoreply').length > 0 ||
    one('x-autorespond').length > 0 ||
    one('precedence').some((v) => /^auto[_-]?reply$/i.test(v))
  ) {
    return 'auto-reply';
  }
  if (one('precedence').some((v) => /^(bulk|junk|list)$/i.test(v))) return 'bulk';
  return undefined;
}

/**
 * The reply token of a message: a plus-address of the support address among its recipients
 * (To, Cc, Delivered-To, X-Original-To), else the newest of our Message-IDs it answers
 * (In-Reply-To, References). `forged` when there is one and it does not open.
 */
export function replyOf(
  parsed: ParsedMail,
  supportAddress: string,
  keys: readonly SealingKey[],
): { claims?: ReplyClaims; forged: boolean } {
  const recipients = addressesOf(['to', 'cc', 'delivered-to', 'x-original-to'].flatMap((h) => headerValues(parsed, h)));
  const tokens = [...new Set(recipients.map((a) => tokenOfAddress(supportAddress, a)).filter((t) => t !== undefined))];
  if (tokens.length > 0) {
    for (const token of tokens) {
      const claims = openReplyToken(keys, token);
      if (claims) return { claims, forged: false };
    }
    return { forged: true };
  }
  // The newest: In-Reply-To's (the message answered), else the last of References.
  const answered =
    tokensOfReferences(headerValues(parsed, 'in-reply-to')).at(-1) ??
    tokensOfReferences(headerValues(parsed, 'references')).at(-1);
  if (answered === undefined) return { forged: false };
  const claims = openReplyToken(keys, answered);
  return claims ? { claims, forged: false } : { forged: true };
}

function attachmentsOf(parsed: ParsedMail): MailAttachment[] {
  const kept: MailAttachment[] = [];
  for (const a of parsed.attachments) {
    // Images of the HTML body itself (logos of a signature, multipart/related): not attachments.
    if (a.related) continue;
    if (a.size > MAIL_ATTACHMENT_MAX_BYTES || a.content.length > MAIL_ATTACHMENT_MAX_BYTES) continue;
    if (kept.length >= ATTACHMENTS_MAX) break;
    kept.push({
      filename: (a.filename?.trim() || `attachment-${kept.length + 1}`).slice(0, 500),
      contentType: (a.contentType || 'application/octet-stream').slice(0, 200),
      size: a.content.length,
      contentBase64: a.content.toString('base64'),
    });
  }
  return kept;
}

/**
 * Reads one raw message: refused (with the reason) or the `mail.received` data to publish.
 * Never throws on what a sender can put in a message.
 */
export async function readMessage(raw: Buffer, opts: ReadOptions): Promise<Read> {
  const rawKey = () => messageKeyOf(undefined, raw);
  if (raw.length > MAIL_MESSAGE_MAX_BYTES) return { kind: 'refused', reason: 'oversized', messageKey: rawKey() };
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(raw, {
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipImageLinks: true,
      skipTextLinks: true,
    });
  } catch {
    return { kind: 'refused', reason: 'malformed', messageKey: rawKey() };
  }
  const messageId = headerValues(parsed, 'message-id')[0];
  const messageKey = messageKeyOf(messageId, raw);
  const refused = (reason: Refusal): Read => ({ kind: 'refused', reason, messageKey });
  // A message with no header block, or no sender, is not one mailparser could read.
  const sender = parsed.from?.value.find((a) => a.address && /^[^@\s]+@[^@\s]+$/.test(a.address));
  if (parsed.headerLines.length === 0 || !sender?.address) return refused('malformed');
  const from = sender.address.toLowerCase();
  const own = [opts.supportAddress, ...(opts.ownAddresses ?? [])].map((a) => a.toLowerCase());
  if (own.includes(from) || own.some((a) => tokenOfAddress(a, from) !== undefined)) return refused('loop');
  const automatic = automaticReason(parsed, from);
  if (automatic) return refused(automatic);
  const reply = replyOf(parsed, opts.supportAddress, opts.keys);
  if (reply.forged) return refused('forged-token');

  const text =
    (typeof parsed.text === 'string' && parsed.text.trim() !== '' ? parsed.text : undefined) ??
    (typeof parsed.html === 'string' ? htmlToText(parsed.html) : '');
  const { visibleText, headerLanguage } = stripReply(text);
  const language = languageOf(visibleText || text, headerLanguage, headerValues(parsed, 'content-language')[0]);
  const mail: MailReceived = {
    messageKey,
    ...(messageId ? { messageId: messageId.slice(0, 998) } : {}),
    from: { address: from, ...(sender.name ? { name: sender.name.slice(0, 500) } : {}) },
    subject: (parsed.subject ?? '').slice(0, 998),
    text,
    visibleText,
    ...(language ? { language } : {}),
    ...(reply.claims ? { reply: { reference: reply.claims.reference, userTag: reply.claims.userTag } } : {}),
    attachments: attachmentsOf(parsed),
    receivedAt: (opts.now ?? new Date()).toISOString(),
  };
  const checked = mailReceivedSchema.safeParse(mail);
  if (!checked.success) return refused('malformed');
  if (Buffer.byteLength(JSON.stringify(mail)) > EVENT_MAX_BYTES) return refused('oversized');
  return { kind: 'mail', mail: checked.data };
}
