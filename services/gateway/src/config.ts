import { baseConfigSchema, loadConfig } from '@woop/service-kit';
import { z } from 'zod';

export const gatewayConfigSchema = baseConfigSchema.extend({
  GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Internal services, on loopback locally and on the private network in production. */
  IDENTITY_URL: z.url().default('http://127.0.0.1:3001'),
  TICKETS_URL: z.url().default('http://127.0.0.1:3002'),
  NOTIFICATIONS_URL: z.url().default('http://127.0.0.1:3003'),
  /** Bound on every call from the gateway to a service. */
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

export const loadGatewayConfig = (env: NodeJS.ProcessEnv = process.env): GatewayConfig =>
  loadConfig(gatewayConfigSchema, env);
