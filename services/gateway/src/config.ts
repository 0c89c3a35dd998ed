import { baseConfigSchema, loadConfig, temporalPayloadConfig } from '@woop/service-kit';
import { z } from 'zod';

const perMinute = (d: number) => z.coerce.number().int().positive().default(d);

export const gatewayConfigSchema = baseConfigSchema.extend({
  /** The public port: the portal's pages and the API. */
  GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /**
   * The gateway's Prometheus metrics, on a listener of its own: its main port is public and
   * never serves /metrics. Loopback by default; a container sets 0.0.0.0 and publishes nothing.
   */
  GATEWAY_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(3100),
  /** Interface of the metrics listener. */
  GATEWAY_METRICS_HOST: z.string().default('127.0.0.1'),
  /** The identity service (internal services: on loopback locally, the private network in production). */
  IDENTITY_URL: z.url().default('http://127.0.0.1:3001'),
  /** The tickets service. */
  TICKETS_URL: z.url().default('http://127.0.0.1:3002'),
  /** The notifications service. */
  NOTIFICATIONS_URL: z.url().default('http://127.0.0.1:3003'),
  /**
   * The Temporal Web UI as the admins' browser reaches it: linked from the agent's view of a
   * request to the ticket's workflow, and the codec endpoint's CORS origin.
   */
  TEMPORAL_UI_URL: z.url().default('http://127.0.0.1:8233'),
  /**
   * The Temporal payload keys (as the tickets service's), for the codec endpoint the Temporal UI
   * calls to show an admin the decrypted payloads (POST /codec/decode).
   */
  ...temporalPayloadConfig,
  /**
   * The Zipkin UI (the local stack's trace viewer) as the agents' browser reaches it, linked from
   * the agent's view of a request to the ticket's traces; empty: no link (a stack without Zipkin).
   */
  ZIPKIN_UI_URL: z.union([z.url(), z.literal('')]).default('http://127.0.0.1:9411'),
  /** Bound on every call from the gateway to a service. */
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  /**
   * Bound on a create (API and page): it may wait its turn in the tickets service's create queue
   * (TICKETS_CREATE_WAIT_MS, 20 s) before its own Temporal deadline (4 s).
   */
  UPSTREAM_CREATE_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** The gateway's own database: the rate-limit counters its copies share. */
  MONGODB_DB: z.string().default('gateway'),
  /**
   * Which proxies in front of the gateway may say who the client is (X-Forwarded-For), in
   * Express's `trust proxy` syntax: `false` (none, the default), `loopback`, a CIDR list, a hop count.
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v): boolean | number | string =>
      v === 'false' ? false : v === 'true' ? true : /^\d+$/.test(v) ? Number(v) : v,
    ),
  /** Requests per minute per client IP, on every route… */
  RATE_LIMIT_IP_PER_MINUTE: perMinute(600),
  /** …per signed-in user (or API token owner)… */
  RATE_LIMIT_USER_PER_MINUTE: perMinute(300),
  /** …and per IP on login, sign-up and password reset. */
  RATE_LIMIT_AUTH_PER_MINUTE: perMinute(20),
  /** A counter the database has not answered for within this is counted in memory instead. */
  RATE_LIMIT_STORE_TIMEOUT_MS: z.coerce.number().int().positive().default(1_000),
  /** How often each copy writes its counts and reads the other copies' (how far they may lag). */
  RATE_LIMIT_SYNC_INTERVAL_MS: z.coerce.number().int().positive().default(1_000),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

export const loadGatewayConfig = (env: NodeJS.ProcessEnv = process.env): GatewayConfig =>
  loadConfig(gatewayConfigSchema, env);
