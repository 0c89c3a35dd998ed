import { baseConfigSchema, loadConfig } from '@woop/service-kit';
import { TICKETS_TASK_QUEUE } from '@woop/contracts';
import { z } from 'zod';

export const ticketsConfigSchema = baseConfigSchema.extend({
  TICKETS_PORT: z.coerce.number().int().min(0).max(65535).default(3002),
  /** The worker process answers its own /healthz and /readyz here. */
  TICKETS_WORKER_PORT: z.coerce.number().int().min(0).max(65535).default(3004),
  TICKETS_TASK_QUEUE: z.string().default(TICKETS_TASK_QUEUE),
  MONGODB_DB: z.string().default('tickets'),
});

export type TicketsConfig = z.infer<typeof ticketsConfigSchema>;

export const loadTicketsConfig = (env: NodeJS.ProcessEnv = process.env): TicketsConfig =>
  loadConfig(ticketsConfigSchema, env);
