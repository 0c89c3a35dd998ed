import { z } from 'zod';

// Making an envelope needs no schema: ./envelope, which the workflow imports without zod.
export * from './envelope';

/**
 * CloudEvents 1.0 style envelope shared by every event on Kafka. `id` is deterministic where
 * the producer can make it so (e.g. ticket + version), which lets consumers de-duplicate.
 * `dataversion` (a CloudEvents extension attribute) is the version of the shape of `data` for
 * its `type`; absent means 1. Consumers read the versions they know and skip the others.
 */
export const eventEnvelopeSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1),
  source: z.string().min(1),
  type: z.string().regex(/^[a-z]+\.[a-z_.]+$/, 'type is <entity>.<what happened>'),
  subject: z.string().min(1),
  time: z.iso.datetime(),
  datacontenttype: z.literal('application/json'),
  dataversion: z.number().int().min(1).optional(),
  data: z.record(z.string(), z.unknown()),
});

export type EventEnvelope<T extends Record<string, unknown> = Record<string, unknown>> = Omit<
  z.infer<typeof eventEnvelopeSchema>,
  'data'
> & { data: T };

/** Parses a Kafka message value; throws a ZodError naming the bad fields. */
export function parseEvent(value: Buffer | string): EventEnvelope {
  return eventEnvelopeSchema.parse(JSON.parse(value.toString()));
}
