import { baseConfigSchema, loadConfig } from '@woop/service-kit';
import { z } from 'zod';

export const notificationsConfigSchema = baseConfigSchema.extend({
  NOTIFICATIONS_PORT: z.coerce.number().int().min(0).max(65535).default(3003),
  MONGODB_DB: z.string().default('notifications'),
});

export type NotificationsConfig = z.infer<typeof notificationsConfigSchema>;

export const loadNotificationsConfig = (env: NodeJS.ProcessEnv = process.env): NotificationsConfig =>
  loadConfig(notificationsConfigSchema, env);
