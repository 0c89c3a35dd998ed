import { z } from 'zod';
import { payloadConfigIssues, type TemporalPayloadSettings } from './clients/payload-codec';
import { DEVELOPMENT_MAIL_REPLY_KEY } from './mail-reply';
import { DEVELOPMENT_SEALING_KEY, previousSealingKeysSchema, sealingKeyBytes, sealingKeySchema } from './sealing';

/** The identity-signing secret `npm start` and the tests use when none is set; refused in production. */
export const DEVELOPMENT_SECRET = 'local-development-secret-not-for-production';

/**
 * The local support mailbox's password (deploy/local/imap.sh sets it on the Dovecot `npm start`
 * runs); refused in production, where the inbound reader logs in to a real mailbox.
 */
export const DEVELOPMENT_IMAP_PASSWORD = 'woop-local-imap-password';

/**
 * Settings every service reads from the environment. Defaults are the local stack started by
 * `npm start` (deploy/local); production sets every address explicitly.
 */
export const baseConfigSchema = z.object({
  /** `production` refuses development secrets and turns off development defaults (the Zipkin exporter). */
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** Level of the JSON log lines (pino) on standard output. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Interface the service listens on; internal services stay on loopback by default. */
  HOST: z.string().default('127.0.0.1'),
  /** host:port of the Temporal frontend (the tickets API and worker, the gateway's codec). */
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  /** The Temporal namespace of the ticket workflows. */
  TEMPORAL_NAMESPACE: z.string().default('default'),
  /** Kafka bootstrap brokers, comma-separated. */
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    ),
  /** The MongoDB server (FerretDB locally); each service has its own database on it (MONGODB_DB). */
  MONGODB_URI: z.string().default('mongodb://127.0.0.1:27017'),
  /** Where the notifications service sends emails (MailDev locally). */
  SMTP_URL: z.string().default('smtp://127.0.0.1:1025'),
  /**
   * none | console | otlp | zipkin; otlp reads the standard OTEL_EXPORTER_OTLP_* settings,
   * zipkin OTEL_EXPORTER_ZIPKIN_ENDPOINT. Unset: zipkin in development, none otherwise (tracing.ts).
   */
  OTEL_TRACES_EXPORTER: z.enum(['none', 'console', 'otlp', 'zipkin']).optional(),
  /** Where spans go with the zipkin exporter. */
  OTEL_EXPORTER_ZIPKIN_ENDPOINT: z.url().default('http://127.0.0.1:9411/api/v2/spans'),
  /** Time given to in-flight work after SIGTERM before the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Upper bound on one readiness check of one server. */
  READINESS_TIMEOUT_MS: z.coerce.number().int().positive().default(2_000),
  /**
   * Signs the identity the gateway passes to the services (x-woop-identity): the same in every
   * service, 32 characters or more; production must set its own (PRODUCTION_SECRETS).
   */
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
 * A secret that a production process (NODE_ENV=production) must be given in its environment: a
 * default in code, a value published with this project (the development value, an old default
 * of docker-compose.yml, an example in the docs) or a value that is plainly not random is refused
 * at start-up, by name, never echoing the value.
 */
export interface ProductionSecret {
  /** How an operator makes one (said in the error). */
  generate: string;
  /** Optional secrets (e.g. previous keys during a rotation) are checked only when set. */
  optional?: boolean;
  /** Comma-separated list of secrets. */
  list?: boolean;
  /** The bytes that matter (a key given as base64 or hex is one key): undefined when unreadable. */
  bytes(value: string): Buffer | undefined;
  /** Values published with this project, never a secret. */
  published: string[];
}

const textBytes = (value: string) => Buffer.from(value, 'utf8');

const SEALING_KEY_SECRET: Omit<ProductionSecret, 'optional' | 'list'> = {
  generate: 'openssl rand -base64 32',
  bytes: sealingKeyBytes,
  published: [
    DEVELOPMENT_SEALING_KEY,
    // docker-compose.yml's default until issue 23.
    'Y29tcG9zZS1zdGFjay1rZXktcmVwbGFjZS1tZS0wMTI=',
  ],
};

/** Every secret of every service, by variable; a service checks those its schema has. */
export const PRODUCTION_SECRETS: Record<string, ProductionSecret> = {
  INTERNAL_AUTH_SECRET: {
    generate: 'openssl rand -hex 32',
    bytes: textBytes,
    published: [
      DEVELOPMENT_SECRET,
      // docker-compose.yml's default until issue 23.
      'compose-stack-secret-replace-me-0123456789',
    ],
  },
  LINK_SEALING_KEY: SEALING_KEY_SECRET,
  LINK_SEALING_PREVIOUS_KEYS: { ...SEALING_KEY_SECRET, optional: true, list: true },
  MAIL_REPLY_KEY: {
    generate: 'openssl rand -base64 32',
    bytes: sealingKeyBytes,
    published: [DEVELOPMENT_MAIL_REPLY_KEY],
  },
  MAIL_REPLY_PREVIOUS_KEYS: {
    generate: 'openssl rand -base64 32',
    bytes: sealingKeyBytes,
    published: [DEVELOPMENT_MAIL_REPLY_KEY],
    optional: true,
    list: true,
  },
  IMAP_PASSWORD: {
    generate: "the support mailbox's password (an application password of the provider)",
    bytes: textBytes,
    published: [DEVELOPMENT_IMAP_PASSWORD],
  },
};

/**
 * The email channel's reply-token keys (see mail-reply.ts): notifications makes tokens with
 * MAIL_REPLY_KEY, the inbound reader opens them with it and the previous keys of a rotation.
 * Production must set its own (PRODUCTION_SECRETS).
 */
export const mailReplyConfig = {
  /**
   * Signs the reply tokens of emails about a request (notifications makes them, the inbound
   * reader opens them): 32 bytes, base64 or 64 hex digits, the same in both services.
   */
  MAIL_REPLY_KEY: sealingKeySchema.prefault(DEVELOPMENT_MAIL_REPLY_KEY),
  /** During a key rotation: the previous keys, comma-separated, still opened (never used to sign). */
  MAIL_REPLY_PREVIOUS_KEYS: previousSealingKeysSchema,
  /** The support mailbox: replies go to its plus-addresses (support+<token>@…). */
  MAIL_SUPPORT_ADDRESS: z.string().email().default('support@woop.example'),
};

/** Words of a placeholder, not of a secret (checked in the value and, for a key, in its bytes). */
const PLACEHOLDER =
  /(replace|change)[-_ ]?me|placeholder|example|not[-_ ]for[-_ ]production|your[-_ ]?(own|secret|key)/i;
/** Random 32 bytes (or 64 hex digits) have far more distinct symbols than this; `x` × 32 has one. */
const MIN_DISTINCT = 10;

function secretProblem(name: string, spec: ProductionSecret, raw: string | undefined): string | undefined {
  const make = `generate one: ${spec.generate}`;
  if (raw === undefined || raw.trim() === '') {
    return spec.optional ? undefined : `${name}: must be set in production, to a secret of your own (${make})`;
  }
  const values = spec.list
    ? raw
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : [raw];
  for (const value of values) {
    const bytes = spec.bytes(value);
    if (!bytes) continue; // the schema says why it does not read
    if (spec.published.some((p) => spec.bytes(p)?.equals(bytes))) {
      return `${name}: is a value published with this project (a default or an example), not a secret (${make})`;
    }
    if (PLACEHOLDER.test(value) || PLACEHOLDER.test(bytes.toString('latin1'))) {
      return `${name}: looks like a placeholder, not a secret (${make})`;
    }
    if (new Set(bytes).size < MIN_DISTINCT) {
      return `${name}: is not random enough to be a secret (${make})`;
    }
  }
  return undefined;
}

/**
 * Problems with the production secrets among `names`, read from the environment itself (so a
 * default in code never counts as set); none outside production.
 */
export function productionSecretProblems(names: Iterable<string>, env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.NODE_ENV !== 'production') return [];
  const problems: string[] = [];
  for (const name of names) {
    const spec = PRODUCTION_SECRETS[name];
    const problem = spec && secretProblem(name, spec, env[name]);
    if (problem) problems.push(problem);
  }
  return problems;
}

/**
 * Parses the environment with a service's schema (usually `baseConfigSchema.extend({...})`).
 * Every problem is reported at once, by variable name, without echoing values (they may be
 * secrets); in production, the schema's secrets must be set and be secrets (PRODUCTION_SECRETS).
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  // A production secret's problem says how to make one: it replaces the schema's word on it.
  const secrets = productionSecretProblems(schema instanceof z.ZodObject ? Object.keys(schema.shape) : [], env);
  const named = new Set(secrets.map((i) => i.split(':')[0]));
  const issues = parsed.success
    ? []
    : parsed.error.issues
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .filter((i) => !named.has(i.split(':')[0]));
  issues.push(...secrets);
  // A service that talks to Temporal (its schema extends `temporalPayloadConfig`): its keys, the
  // development one refused in production.
  if (parsed.success && 'TEMPORAL_PAYLOAD_KEYS' in (parsed.data as object)) {
    const data = parsed.data as TemporalPayloadSettings & { NODE_ENV?: string };
    issues.push(...payloadConfigIssues(data, data.NODE_ENV === 'production'));
  }
  if (issues.length > 0 || !parsed.success) throw new ConfigError(issues);
  return parsed.data;
}

/** Database name inside MONGODB_URI's server: each service owns its own database. */
export function mongoDbName(service: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.MONGODB_DB ?? service;
}
