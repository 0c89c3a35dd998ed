import { z } from 'zod';
import { TICKET_ACTIONS } from '../tickets/actions';
import { PRIORITIES, TICKET_STATUSES } from '../tickets/model';

/**
 * What the tickets API answers, as documented in the gateway's OpenAPI document (the
 * TypeScript types of `tickets/model.ts` are the source; these mirror them for clients).
 * Ticket objects are open (`looseObject`): agents see more fields than customers.
 */

const text = z.object({ fr: z.string(), en: z.string() });
const status = z.enum(TICKET_STATUSES);
const actionName = z.enum(TICKET_ACTIONS as [string, ...string[]]);
const person = z.object({ id: z.string(), name: z.string() });
const actor = z.object({ id: z.string(), role: z.enum(['customer', 'agent', 'admin', 'system']), name: z.string() });

export const activityEntrySchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor,
  kind: z.enum([
    'created',
    'status_changed',
    'qualified',
    'assigned',
    'priority_changed',
    'comment',
    'internal_note',
    'sla_warning',
    'sla_breached',
    'validation_reminder',
    'shared',
    'unshared',
    'attachment',
    'rated',
  ]),
  visibility: z.enum(['public', 'internal']),
  from: status.optional(),
  to: status.optional(),
  reason: z.string().optional(),
  body: z.string().optional(),
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  people: z.array(person).optional().describe('shared / unshared: who was added or removed'),
});

const slaClock = z.looseObject({
  targetMinutes: z.number(),
  consumedMinutes: z.number(),
  runningSince: z.string().optional(),
  warningAt: z.string().optional(),
  breachAt: z.string().optional(),
  warnedAt: z.string().optional(),
  breachedAt: z.string().optional(),
  metAt: z.string().optional(),
});

export const ticketSchema = z.looseObject({
  reference: z.string().optional().describe('SUPPORT-N'),
  requestType: z.string(),
  organizationId: z.string(),
  requester: person,
  sharedWith: z.array(person).describe('"Partagé avec": people added by name'),
  summary: z.string(),
  description: z.string().optional(),
  fields: z.record(z.string(), z.unknown()).optional(),
  portal: z.enum(['retailer', 'carrier']).optional(),
  requestTypeVersion: z.number().int().optional(),
  confidential: z.boolean(),
  status,
  statusBeforeWaiting: status.optional(),
  priority: z.enum(PRIORITIES),
  qualified: z.boolean(),
  billable: z.boolean(),
  assignment: z.object({ agentId: z.string().optional(), team: z.string().optional() }).optional(),
  escalated: z.boolean(),
  escalationTeams: z.array(z.string()).optional().describe('Agents only'),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
  sla: z.object({ firstResponse: slaClock, resolution: slaClock }).optional(),
  validationDueAt: z.string().optional(),
  reopenUntil: z.string().optional(),
  resolution: z.object({ answer: z.string(), at: z.string(), by: actor }).optional(),
  rejection: z.object({ reason: z.string(), at: z.string(), by: actor }).optional(),
  csat: z
    .object({
      score: z.number().int(),
      comment: z.string().optional(),
      at: z.string(),
      by: actor,
      closure: z.number().int(),
    })
    .optional()
    .describe("The requester's satisfaction rating (1–5) of the latest closure rated"),
  activity: z.array(activityEntrySchema).describe('Customers see the public entries only'),
});

/** A ticket with the actions the caller may take on it now. */
export const ticketViewSchema = z.object({
  ticket: ticketSchema,
  allowed: z.array(actionName).describe('What the caller may do in the current status'),
});

/** The detail page's answer: an action's, plus this user's "Notifications activées" toggle. */
export const ticketDetailSchema = ticketViewSchema.extend({
  notifications: z
    .object({ enabled: z.boolean() })
    .nullable()
    .describe('Whether I get the emails about this request; null while the notifications service does not answer'),
});

const fieldDefinitionView = z.object({
  key: z.string(),
  label: text,
  type: z.enum(['text', 'textarea', 'email', 'select', 'datetime', 'list']),
  required: z.boolean(),
  maxLength: z.number().int().optional(),
  options: z.array(z.object({ value: z.string(), label: text })).optional(),
  maxItems: z.number().int().optional(),
});

export const requestTypeSchema = z.object({
  key: z.string(),
  category: z.enum(['general', 'configuration', 'technical', 'personal-data']),
  label: text,
  description: text,
  icon: z.string(),
  portals: z.array(z.enum(['retailer', 'carrier'])),
  fields: z.array(fieldDefinitionView),
  defaultTeam: z.string(),
  slaPolicy: z.enum(['standard', 'security', 'personal-data']),
  confidential: z.boolean(),
  version: z.number().int(),
});

export const catalogueSchema = z.object({ items: z.array(requestTypeSchema) });

export const attachmentSchema = z.object({
  id: z.string(),
  reference: z.string(),
  filename: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  uploadedBy: z.object({ id: z.string(), name: z.string(), role: z.enum(['customer', 'agent', 'admin']) }),
  createdAt: z.string(),
});
/** What the tickets service answers about a stored file (never its bytes). */
export type AttachmentMetadata = z.infer<typeof attachmentSchema>;
