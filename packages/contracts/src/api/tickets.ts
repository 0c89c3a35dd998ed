import { z } from 'zod';
import {
  assignmentPayload,
  nonBlank,
  TICKET_ACTIONS,
  trimmed,
  ticketActionPayloads,
  type TicketActionName,
} from '../tickets/actions';
import { PRIORITIES, TICKET_STATUSES } from '../tickets/model';

/**
 * Request schemas of the tickets API. The tickets service validates with them and the gateway
 * builds its OpenAPI document from them, so the document cannot drift from what is enforced.
 */

export const portalSchema = z.enum(['retailer', 'carrier']);

export const createTicketBody = z.object({
  requestType: z.string().min(1).max(100).describe('Key of a request type of the catalogue'),
  portal: portalSchema,
  summary: z.string().describe("Résumé; checked against the request type's form").optional(),
  description: z.string().optional(),
  fields: z
    .record(z.string(), z.unknown())
    .describe("The request type's own fields, by key (see the catalogue)")
    .optional(),
});

/** `Idempotency-Key` header: a retried create or action with the same key has its first effect only. */
export const idempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{8,128}$/, '8 to 128 letters, digits or ._:-')
  .describe('Makes a retried request return the result of the first one');

export const TICKET_SORTS = ['-createdAt', 'createdAt', '-updatedAt', 'updatedAt'] as const;
export type TicketSort = (typeof TICKET_SORTS)[number];

/** Statuses a customer still follows ("Demandes ouvertes"): everything before TERMINÉ / CLÔTURÉ. */
export const OPEN_STATUSES = TICKET_STATUSES.filter((s) => s !== 'done' && s !== 'closed');

const limitSchema = z.coerce.number().int().min(1).max(100).default(25).describe('Page size, 1 to 100');
const cursorSchema = z
  .string()
  .max(500)
  .describe('Opaque; the `nextCursor` of the previous page, with the same filters and sort')
  .optional();

/** The "Demandes" list: `GET /tickets`. */
export const ticketListQuery = z.object({
  scope: z
    .enum(['all', 'created', 'shared', 'organization'])
    .default('all')
    .describe(
      'all: every request I may see; created: "Créées par moi"; shared: shared with me by name; ' +
        "organization: my organisation's requests",
    ),
  status: z
    .enum(['open', 'all', ...TICKET_STATUSES])
    .default('open')
    .describe('open: "Demandes ouvertes" (not yet TERMINÉ or CLÔTURÉ); all; or one status'),
  requestType: z.string().min(1).max(100).optional().describe('"Tout type de demande" when absent'),
  q: trimmed(200)
    .optional()
    .describe('"La demande contient…": words found in the reference, summary or description (blank: no search)'),
  sort: z.enum(TICKET_SORTS).default('-createdAt'),
  limit: limitSchema,
  cursor: cursorSchema,
});
export type TicketListQuery = z.infer<typeof ticketListQuery>;

/** Agents' queues: `GET /queues` (counts) and `GET /queues/{queue}` (a page). */
export const QUEUES = ['unassigned', 'mine', 'team', 'sla_at_risk', 'sla_breached'] as const;
export type QueueName = (typeof QUEUES)[number];
export const queueParams = z.object({ queue: z.enum(QUEUES) });
/**
 * A queue's order: `createdAt` (oldest first, the default: a queue is worked in the order
 * requests came in), `updatedAt`, `priority` (`-priority`: critical first) or `slaDue` (the
 * running SLA clock's deadline; paused or no clock last); `-` for the other way.
 */
export const QUEUE_SORTS = [
  'createdAt',
  '-createdAt',
  'updatedAt',
  '-updatedAt',
  '-priority',
  'priority',
  'slaDue',
  '-slaDue',
] as const;
export type QueueSort = (typeof QUEUE_SORTS)[number];
const queueFilterKey = z.string().min(1).max(100);
/** Filters of a queue: each an equality on the row (what FerretDB hands PostgreSQL). */
export const QUEUE_FILTERS = ['requestType', 'priority', 'team', 'organizationId'] as const;
export type QueueFilterName = (typeof QUEUE_FILTERS)[number];
export const queuePageQuery = z.object({
  sort: z.enum(QUEUE_SORTS).default('createdAt'),
  requestType: queueFilterKey.optional().describe('Only this request type (a key of the catalogue)'),
  priority: z.enum(PRIORITIES).optional().describe('Only this priority'),
  team: queueFilterKey.optional().describe('Only requests assigned to this team'),
  organizationId: queueFilterKey.optional().describe("Only this organisation's requests"),
  limit: limitSchema,
  cursor: cursorSchema,
});
export type QueuePageQuery = z.infer<typeof queuePageQuery>;

export const referenceParams = z.object({
  // Up to 16 digits: TICKET_REFERENCE_FLOOR may start the numbering anywhere (tests: Date.now() × 10).
  reference: z.string().regex(/^SUPPORT-[1-9][0-9]{0,15}$/, 'a reference such as SUPPORT-123'),
});
/** Actions taken through `POST /tickets/{reference}/actions/{action}`; sharing and files have their own routes. */
export const ACTIONS_BY_ROUTE = TICKET_ACTIONS.filter(
  (a): a is RoutedTicketAction => a !== 'share' && a !== 'unshare' && a !== 'attach',
);
export type RoutedTicketAction = Exclude<TicketActionName, 'share' | 'unshare' | 'attach'>;

const bodyOf = <S extends z.ZodType>(payload: S, description: string) =>
  z.object({ payload: payload.describe(description) });
const emptyBodyOf = (description: string) =>
  z.object({ payload: ticketActionPayloads.start.default({}).describe(`${description} (nothing to send)`) });

/**
 * The assignment as the document shows it: "an agent or a team" is a refinement zod checks but
 * cannot describe, so it is spelt out for the document (`anyOf`), the check unchanged.
 */
const documentedAssignment = assignmentPayload.meta({ anyOf: [{ required: ['agentId'] }, { required: ['team'] }] });

/**
 * The body of `POST /tickets/{reference}/actions/{action}`, one per action: `{payload}` with that
 * action's payload schema (the workflow checks the same).
 */
/**
 * A payload as a client may send it: `channel` (how an entry came) is the tickets service's to
 * set for what it read from the support mailbox; a client's is not part of the body (stripped
 * like any unknown key), so nobody makes a comment look emailed.
 */
const fromClient = <S extends z.ZodObject>(schema: S) => schema.omit({ channel: true } as never) as S;

export const ticketActionBodies = {
  qualify: bodyOf(
    ticketActionPayloads.qualify.extend({
      assignment: documentedAssignment.optional().describe('An agent, a team or both: assigns it at once (→ ATTRIBUÉ)'),
    }),
    'Priority and billing; a corrected request type; an assignment makes it ATTRIBUÉ at once',
  ),
  assign: bodyOf(documentedAssignment, 'An agent, a team, or both (one at least)'),
  start: emptyBodyOf('ATTRIBUÉ → EN COURS'),
  requestInformation: bodyOf(ticketActionPayloads.requestInformation, 'The question; → EN ATTENTE CLIENT'),
  reply: bodyOf(fromClient(ticketActionPayloads.reply), 'A public answer'),
  addInternalNote: bodyOf(ticketActionPayloads.addInternalNote, 'A note for agents only'),
  changePriority: bodyOf(ticketActionPayloads.changePriority, 'The new priority and why'),
  resolve: bodyOf(ticketActionPayloads.resolve, 'The answer the customer validates; → RÉSOLU'),
  reject: bodyOf(ticketActionPayloads.reject, 'Why; → REJETÉ'),
  provideInformation: bodyOf(fromClient(ticketActionPayloads.provideInformation), 'The information asked for'),
  comment: bodyOf(fromClient(ticketActionPayloads.comment), 'A comment'),
  acceptResolution: emptyBodyOf('RÉSOLU → TERMINÉ'),
  rejectResolution: bodyOf(ticketActionPayloads.rejectResolution, 'Why the answer does not do; → EN COURS'),
  acceptRejection: emptyBodyOf('REJETÉ → CLÔTURÉ'),
  contestRejection: bodyOf(ticketActionPayloads.contestRejection, 'Why; → OUVERT, to requalify'),
  reopen: bodyOf(ticketActionPayloads.reopen, 'Why; TERMINÉ → EN COURS'),
  rate: bodyOf(
    ticketActionPayloads.rate,
    'The requester only, while TERMINÉ, once per closure: 1–5 and a comment if any',
  ),
} satisfies Record<RoutedTicketAction, z.ZodObject>;

/** "Partager": add people of the requester's organisation. */
export const shareBody = z.object({
  userIds: z.array(z.string().min(1).max(64)).min(1).max(20),
});
export const unshareParams = referenceParams.extend({ userId: z.string().min(1).max(64) });

/** Attachments: the file is the raw request body; its name is a query parameter. */
export const ATTACHMENT_TYPES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'application/pdf',
  'text/plain',
  'text/csv',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];
/**
 * The file name extensions of each accepted type (lower case). A file's name must end with one of
 * its declared type's, else 415 `file_name_not_allowed`: `invoice.hta` sent as text/plain is
 * refused whatever its content, since whoever opens the downloaded file goes by its name.
 */
export const ATTACHMENT_EXTENSIONS: Readonly<Record<AttachmentType, readonly string[]>> = {
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg'],
  'image/gif': ['gif'],
  'application/pdf': ['pdf'],
  'text/plain': ['txt', 'log'],
  'text/csv': ['csv'],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['xlsx'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['docx'],
};

/** Whether `filename` ends with an extension of `contentType` (false for a type not accepted). */
export function matchesExtension(contentType: string, filename: string): boolean {
  const dot = filename.lastIndexOf('.');
  if (dot < 0) return false;
  const extension = filename
    .slice(dot + 1)
    .trim()
    .toLowerCase();
  const accepted: readonly string[] | undefined = (ATTACHMENT_EXTENSIONS as Record<string, readonly string[]>)[
    contentType
  ];
  return accepted?.includes(extension) ?? false;
}
export const ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024;
/**
 * What one ticket holds at most, by default (the tickets service's TICKET_ATTACHMENTS_MAX_FILES and
 * TICKET_ATTACHMENTS_MAX_BYTES): a file beyond is refused with 409 `attachment_limit_reached`.
 */
export const ATTACHMENTS_PER_TICKET = { files: 20, bytes: 50 * 1024 * 1024 } as const;
export const attachmentQuery = z.object({
  filename: nonBlank(200)
    // eslint-disable-next-line no-control-regex -- control characters are what it refuses
    .regex(/^[^/\\\u0000-\u001f]+$/, 'a file name without slashes or control characters'),
});
export const attachmentParams = referenceParams.extend({ attachmentId: z.string().regex(/^[a-f0-9]{24}$/) });

// ---- catalogue administration -------------------------------------------------------------

/** Not blank: the document says it (`pattern`), the check trims and counts what is left. */
const label = nonBlank(2_000);
const text = z.object({ fr: label, en: label });
const fieldDefinition = z
  .object({
    key: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]{0,49}$/),
    label: text,
    type: z.enum(['text', 'textarea', 'email', 'select', 'datetime', 'list']),
    required: z.boolean(),
    maxLength: z.number().int().min(1).max(20_000).optional(),
    options: z
      .array(z.object({ value: z.string().min(1).max(100), label: text }))
      .min(1)
      .max(100)
      .optional(),
    maxItems: z.number().int().min(1).max(500).optional(),
  })
  .meta({
    // "A select needs options" (checked below), as the document says it.
    if: { properties: { type: { const: 'select' } }, required: ['type'] },
    then: { required: ['options'] },
  });

/** `PUT /catalogue/{key}` (admin): the whole definition; the service bumps its version. */
export const requestTypeBody = z
  .object({
    category: z.enum(['general', 'configuration', 'technical', 'personal-data']),
    label: text,
    description: text,
    icon: z.string().regex(/^[a-z0-9-]{1,50}$/),
    portals: z.array(portalSchema).min(1).max(2),
    fields: z.array(fieldDefinition).max(50),
    defaultTeam: z.string().regex(/^[a-z0-9-]{1,50}$/),
    slaPolicy: z.enum(['standard', 'security', 'personal-data']),
    confidential: z.boolean(),
  })
  .superRefine((value, ctx) => {
    const keys = value.fields.map((f) => f.key);
    keys.forEach((key, i) => {
      if (keys.indexOf(key) !== i)
        ctx.addIssue({ code: 'custom', path: ['fields', i, 'key'], message: 'duplicate key' });
    });
    value.fields.forEach((f, i) => {
      if (f.type === 'select' && !f.options) {
        ctx.addIssue({ code: 'custom', path: ['fields', i, 'options'], message: 'a select needs options' });
      }
    });
  });
export const requestTypeParams = z.object({ key: z.string().regex(/^[a-z0-9-]{1,100}$/) });
/** `GET /catalogue/{key}/versions/{version}`: the definition a ticket was created under. */
export const requestTypeVersionParams = requestTypeParams.extend({
  version: z.coerce.number().int().min(1).max(1_000_000),
});
export const catalogueQuery = z.object({ portal: portalSchema.optional() });

// ---- responses (documented in OpenAPI; the tickets service builds them) -------------------

/** One row of the "Demandes" list and of a queue: the guide's columns and a little more. */
/** A queue row's SLA: the clock that counts now (first response, then resolution) and its time left. */
export const queueSla = z.object({
  clock: z.enum(['firstResponse', 'resolution']),
  /** `paused`: waiting for the customer; `at_risk`: warned; `breached`: past its target and still running. */
  state: z.enum(['running', 'paused', 'at_risk', 'breached']),
  /** When it breaches at the current pace (running clocks only). */
  dueAt: z.string().optional(),
  /** Business minutes left on the ticket's calendar, now (0 once breached); fractions kept. */
  leftMinutes: z.number(),
});
export type QueueSla = z.infer<typeof queueSla>;

export const ticketListItem = z.object({
  reference: z.string(),
  requestType: z.string(),
  summary: z.string(),
  status: z.enum(TICKET_STATUSES),
  statusLabel: z.object({ fr: z.string(), en: z.string() }),
  priority: z.enum(PRIORITIES),
  project: z.literal('Portail du support WOOP'),
  requester: z.object({ id: z.string(), name: z.string() }),
  organizationId: z.string(),
  assignment: z.object({ agentId: z.string().optional(), team: z.string().optional() }),
  escalated: z.boolean(),
  sla: queueSla
    .optional()
    .describe("Queues only: the SLA clock that falls due first, on the ticket's business calendar"),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TicketListItem = z.infer<typeof ticketListItem>;

export const ticketPage = z.object({
  items: z.array(ticketListItem),
  nextCursor: z.string().nullable(),
});
export type TicketPage = z.infer<typeof ticketPage>;

export const queueCounts = z.object({
  counts: z.record(z.enum(QUEUES), z.number().int()),
});

/** A satisfaction link's token (`/csat?token=` in the email sent when a request becomes TERMINÉ). */
export const csatLinkQuery = z.object({ token: z.string().min(1).max(1000) });
/** A rating sent through a satisfaction link: the token, the score and the comment of `rate`. */
export const csatLinkBody = csatLinkQuery.extend(ticketActionPayloads.rate.shape);
/** What a satisfaction link is for, and whether it may still be answered. */
export interface CsatLinkView {
  reference: string;
  summary: string;
  /** `open`: may be rated now; `rated`: this closure has its rating; `closed`: CLÔTURÉ; `reopened`: no longer TERMINÉ. */
  state: 'open' | 'rated' | 'closed' | 'reopened';
  score?: number;
}
