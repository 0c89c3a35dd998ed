import {
  baseConfigSchema,
  DEVELOPMENT_SEALING_KEY,
  loadConfig,
  mailReplyConfig,
  previousSealingKeysSchema,
  sealingKeySchema,
} from '@woop/service-kit';
import { z } from 'zod';

export const notificationsConfigSchema = baseConfigSchema.extend({
  /** The notifications service's HTTP port. */
  NOTIFICATIONS_PORT: z.coerce.number().int().min(0).max(65535).default(3003),
  /** The notifications database (people, preferences, the delivery log). */
  MONGODB_DB: z.string().default('notifications'),
  /** Public address of the portal: emails link only there. */
  PORTAL_URL: z.url().default('http://127.0.0.1:3000'),
  /** The From of every email. */
  MAIL_FROM: z.string().default('Support portal <support@woop.example>'),
  /** Consumer group on user.* and ticket.* events. */
  NOTIFICATIONS_GROUP_ID: z.string().default('notifications'),
  /** A new consumer group starts at the oldest event (nothing missed) unless told otherwise. */
  NOTIFICATIONS_FROM_BEGINNING: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** SMTP tries per email (waits 1, 2, 4 … s, at most 30 s) before the dead-letter topic. */
  NOTIFICATIONS_MAX_ATTEMPTS: z.coerce.number().int().positive().default(8),
  /** First wait between SMTP tries, doubling each time. */
  NOTIFICATIONS_BACKOFF_MS: z.coerce.number().int().positive().default(1_000),
  /** How long a claimed delivery is another copy's before this one takes it over (its owner died). */
  NOTIFICATIONS_CLAIM_LEASE_MS: z.coerce.number().int().positive().default(120_000),
  /**
   * Partitions handled at once (kafkajs `partitionsConsumedConcurrently`). Events of one ticket or
   * one person share a partition and stay in order; one at a time for the whole service, a
   * backlog of 1,658 events took minutes to drain and one email in SMTP backoff held every other.
   */
  NOTIFICATIONS_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(6),
  /**
   * Opens the links identity seals into sign-up, reset and invitation events (identity holds the
   * same key): 32 bytes, base64 or 64 hex digits.
   * Production must set its own (PRODUCTION_SECRETS in the service kit).
   */
  LINK_SEALING_KEY: sealingKeySchema.prefault(DEVELOPMENT_SEALING_KEY),
  /** During a key rotation: the previous keys, comma-separated, still opened (never used to seal). */
  LINK_SEALING_PREVIOUS_KEYS: previousSealingKeysSchema,
  /**
   * Reply tokens of the emails about a request (Reply-To `support+<token>@…` and the Message-ID),
   * and the support mailbox: MAIL_REPLY_KEY (a production secret), MAIL_SUPPORT_ADDRESS.
   */
  ...mailReplyConfig,
  /** Team mailboxes for SLA alerts: team=address, comma-separated. */
  TEAM_EMAILS: z
    .string()
    .default(
      'support=support@woop.example,security=security@woop.example,dpo=dpo@woop.example,' +
        'support-leads=support-leads@woop.example,security-leads=security-leads@woop.example',
    )
    .transform((s) =>
      Object.fromEntries(
        s
          .split(',')
          .map((pair) => pair.split('=').map((x) => x.trim()))
          .filter((p): p is [string, string] => p.length === 2 && !!p[0] && !!p[1]),
      ),
    ),
});

export type NotificationsConfig = z.infer<typeof notificationsConfigSchema>;

export function loadNotificationsConfig(env: NodeJS.ProcessEnv = process.env): NotificationsConfig {
  const config = loadConfig(notificationsConfigSchema, env);
  return config;
}
