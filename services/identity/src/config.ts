import { baseConfigSchema, loadConfig } from '@woop/service-kit';
import { z } from 'zod';

export const identityConfigSchema = baseConfigSchema.extend({
  IDENTITY_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  MONGODB_DB: z.string().default('identity'),
});

export type IdentityConfig = z.infer<typeof identityConfigSchema>;

export const loadIdentityConfig = (env: NodeJS.ProcessEnv = process.env): IdentityConfig =>
  loadConfig(identityConfigSchema, env);
