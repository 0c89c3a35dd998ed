import { z } from 'zod';
import { payloadConfigIssues, type TemporalPayloadSettings } from './clients/payload-codec';

const DEVELOPMENT_SECRET = 'local-development-secret-not-for-production';

/**
 * Settings every service reads from the environment. Defaults are the local stack started by
 * `npm start` (deploy/local); production sets every address explicitly.
 */
export const baseConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Interface the service listens on; internal services stay on loopback by default. */
  HOST: z.string().default('127.0.0.1'),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    ),
  MONGODB_URI: z.string().default('mongodb://127.0.0.1:27017'),
  SMTP_URL: z.string().default('smtp://127.0.0.1:1025'),
  /**
   * none | console | otlp | zipkin; otlp reads the standard OTEL_EXPORTER_OTLP_* settings,
   * zipkin OTEL_EXPORTER_ZIPKIN_ENDPOINT. Unset: zipkin in development, none otherwise (tracing.ts).
   */
  OTEL_TRACES_EXPORTER: z.enum(['none', 'console', 'otlp', 'zipkin']).optional(),
  OTEL_EXPORTER_ZIPKIN_ENDPOINT: z.url().default('http://127.0.0.1:9411/api/v2/spans'),
  /** Time given to in-flight work after SIGTERM before the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Upper bound on one readiness check of one server. */
  READINESS_TIMEOUT_MS: z.coerce.number().int().positive().default(2_000),
  /** Signs the identity the gateway passes to the services (x-woop-identity); production sets its own. */
  INTERNAL_AUTH_SECRET: z.string().min(32).default(DEVELOPMENT_SECRET),
});

export type BaseConfig = z.infer<typeof baseConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment with a service's schema (usually `baseConfigSchema.extend({...})`).
 * Every problem is reported at once, by variable name, without echoing values (they may be secrets).
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  const data = parsed.data as Partial<BaseConfig>;
  if (data.NODE_ENV === 'production' && data.INTERNAL_AUTH_SECRET === DEVELOPMENT_SECRET) {
    throw new ConfigError(['INTERNAL_AUTH_SECRET: must be set in production (32 characters or more)']);
  }
  // A service that talks to Temporal (its schema extends `temporalPayloadConfig`): its keys.
  if ('TEMPORAL_PAYLOAD_KEYS' in (parsed.data as object)) {
    const issues = payloadConfigIssues(parsed.data as TemporalPayloadSettings, data.NODE_ENV === 'production');
    if (issues.length > 0) throw new ConfigError(issues);
  }
  return parsed.data;
}

/** Database name inside MONGODB_URI's server: each service owns its own database. */
export function mongoDbName(service: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.MONGODB_DB ?? service;
}
