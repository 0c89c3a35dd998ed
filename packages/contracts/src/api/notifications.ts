import { z } from 'zod';

/**
 * Request and response schemas of the notifications API: the delivery log, the per-ticket
 * "Notifications activées" toggle and agents' switch for their own emails. The service
 * validates with them; the gateway documents them.
 */

export const deliveryQuery = z.object({
  eventId: z.string().optional().describe('Deliveries of one event'),
  reference: z.string().optional().describe('Deliveries about one ticket, e.g. SUPPORT-123'),
  address: z.string().optional().describe('Deliveries to one address'),
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('Newest first, 1 to 500'),
});

export const preferenceBody = z.object({
  enabled: z.boolean().describe('Whether I get the emails about this request'),
});

export const preferenceSchema = z.object({ reference: z.string(), enabled: z.boolean() });

export const agentEmailsBody = z.object({
  enabled: z
    .boolean()
    .describe(
      "Whether I get the agents' emails: new requests of my teams; on requests assigned to me, customers' " +
        'comments and information, rejected answers, contested rejections and reopenings',
    ),
});

export const agentEmailsPreference = z.object({ enabled: z.boolean().describe('On unless turned off') });

/** One row of the delivery log: one email for one event and one recipient. */
export const deliverySchema = z.looseObject({
  _id: z.string().describe('`<event id>|<recipient>`'),
  eventId: z.string(),
  eventType: z.string(),
  reference: z.string().optional(),
  recipientId: z.string().optional(),
  address: z.string(),
  template: z.string(),
  status: z.enum(['claimed', 'sent', 'failed']),
  attempts: z.number().int(),
  messageId: z.string().optional(),
  sentAt: z.iso.datetime().optional(),
  error: z.string().optional().describe('The last SMTP error, while retrying or once failed'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
