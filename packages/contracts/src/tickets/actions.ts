import { z } from 'zod';
import { CSAT_COMMENT_MAX, TICKET_REASON_MAX, TICKET_TEXT_MAX, type TicketActionName } from './action-names';
import { PRIORITIES } from './model';

// The payloads' zod schemas. What carries no schema (the actions' names and roles, the limits)
// is in ./action-names, which the workflow imports without zod (see `../workflow.ts`).
export * from './action-names';

/**
 * Not blank, as a pattern the API document can show (what trimming leaves is not empty). The BOM
 * is named because JavaScript counts it as a space and other regex engines (the fuzzer's) do not.
 */
export const NOT_BLANK = /[^\s\ufeff]/;

/**
 * A string of at most `max` characters as sent, then trimmed. The bound is on what was sent, as the
 * API document's `maxLength` says: checked after trimming, 100 characters and a leading tab passed
 * where the document said they could not (the fuzzer's finding).
 */
export const trimmed = (max: number, params?: Parameters<typeof z.string>[0]) => z.string(params).max(max).trim();

/**
 * A text that must say something: at most `max` characters as sent, trimmed, not blank. `min(1)`
 * aborts, so an empty or blank one is told once ("required"-like); the pattern is what tells the
 * API document's readers "not blank" (a document cannot say "trimmed"): a bare `min(1)` after the
 * trim documented `minLength: 1`, which a lone tab meets, and refused it (the fuzzer's finding).
 */
export const nonBlank = (max: number, params?: Parameters<typeof z.string>[0]) =>
  trimmed(max, params).min(1, { abort: true }).regex(NOT_BLANK, 'not blank');

/** Something a person writes on a ticket: not blank, at most `max` characters. */
export const ticketText = (max = TICKET_TEXT_MAX) => nonBlank(max);

const id = z.string().min(1).max(100);
const priority = z.enum(PRIORITIES);

/** Who works on a ticket: an agent, a team, or both. */
export const assignmentPayload = z
  .object({
    agentId: id.optional().describe("The agent's user id"),
    team: id.optional().describe('The team, e.g. support'),
  })
  .refine((a) => a.agentId !== undefined || a.team !== undefined, {
    message: 'an agent or a team is required',
    path: ['agentId'],
  });

const nothing = z.object({});
/**
 * How an entry came, when not through the portal: `email` is set by the tickets service for a
 * reply it read from the support mailbox, never by a client (the API and the gateway drop it).
 */
export const entryChannel = z.enum(['email']);
export type EntryChannel = z.infer<typeof entryChannel>;
const body = z.object({ body: ticketText() });
/** A comment, a public answer or the information asked for: also by email (`channel`). */
const channelledBody = body.extend({ channel: entryChannel.optional() });
const reason = z.object({ reason: ticketText(TICKET_REASON_MAX) });

/**
 * The payload of each ticket action, as zod schemas: the tickets service and the gateway check
 * request bodies with them, the gateway's OpenAPI document shows them, and the workflow's update
 * validator refuses what they refuse (`invalid_payload`). Types below are inferred from them.
 */
export const ticketActionPayloads = {
  // agents (and admins)
  qualify: z.object({
    priority,
    billable: z.boolean(),
    requestType: id.optional().describe('A corrected request type (a key of the catalogue)'),
    assignment: assignmentPayload.optional().describe('An agent, a team or both: assigns it at once (→ ATTRIBUÉ)'),
  }),
  assign: assignmentPayload,
  start: nothing,
  requestInformation: z.object({ question: ticketText() }),
  reply: channelledBody,
  addInternalNote: body,
  changePriority: z.object({ priority, reason: trimmed(TICKET_REASON_MAX).optional() }),
  resolve: z.object({ answer: ticketText() }),
  reject: reason,
  // customers
  provideInformation: channelledBody,
  comment: channelledBody,
  acceptResolution: nothing,
  rejectResolution: reason,
  acceptRejection: nothing,
  contestRejection: reason,
  reopen: reason,
  // "Êtes-vous satisfait de la réponse ?": the requester, once per closure (TERMINÉ).
  rate: z.object({
    score: z.number().int().min(1).max(5).describe('1 (not at all satisfied) to 5 (very satisfied)'),
    comment: trimmed(CSAT_COMMENT_MAX).optional().describe('What the requester adds, if anything'),
  }),
  // "Partager": anyone who sees the ticket; the tickets service checks that the people belong
  // to the requester's organisation and who may remove whom.
  share: z.object({
    people: z
      .array(z.object({ id: z.string().min(1).max(100), name: z.string().max(500) }))
      .min(1)
      .max(20),
  }),
  unshare: z.object({ userId: z.string().min(1).max(100) }),
  // a file stored by the tickets service, announced in the activity stream
  attach: z.object({
    attachmentId: z.string().min(1).max(100),
    filename: z.string().min(1).max(500),
    contentType: z.string().min(1).max(200),
    size: z.number().int().min(0),
  }),
} as const;

/** What is wrong with `payload` for `action` (one line per problem), or undefined when it is valid. */
export function ticketPayloadProblem(action: TicketActionName, payload: unknown): string | undefined {
  const checked = ticketActionPayloads[action].safeParse(payload ?? {});
  if (checked.success) return undefined;
  return checked.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}
