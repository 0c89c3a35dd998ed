import { baseConfigSchema, DEVELOPMENT_IMAP_PASSWORD, loadConfig, mailReplyConfig } from '@woop/service-kit';
import { z } from 'zod';

export const inboundConfigSchema = baseConfigSchema.extend({
  INBOUND_PORT: z.coerce.number().int().min(0).max(65535).default(3005),
  /** The support mailbox (any IMAP server; locally deploy/local/imap.sh's Dovecot). */
  IMAP_HOST: z.string().min(1).default('127.0.0.1'),
  IMAP_PORT: z.coerce.number().int().min(1).max(65535).default(1143),
  /**
   * true: IMAP over TLS (port 993 at most providers); starttls: upgraded on the IMAP port (143),
   * the upgrade required; false: clear text, for the local Dovecot on loopback only.
   */
  IMAP_TLS: z.enum(['true', 'false', 'starttls']).default('false'),
  IMAP_USER: z.string().min(1).default('support@woop.example'),
  /** The mailbox's password. Production must set its own (PRODUCTION_SECRETS in the service kit). */
  IMAP_PASSWORD: z.string().min(1).default(DEVELOPMENT_IMAP_PASSWORD),
  /** Where mail arrives, and where the reader moves what it handled. */
  INBOUND_MAILBOX: z.string().min(1).default('INBOX'),
  INBOUND_PROCESSED_FOLDER: z.string().min(1).default('Processed'),
  INBOUND_REFUSED_FOLDER: z.string().min(1).default('Refused'),
  INBOUND_HELD_FOLDER: z.string().min(1).default('Held'),
  /** The mailbox is searched this often even when IDLE says nothing (a server or proxy may drop it). */
  INBOUND_POLL_MS: z.coerce.number().int().positive().default(30_000),
  /** Reconnection waits 1, 2, 4 … s up to this, while the IMAP server is away. */
  INBOUND_RECONNECT_MAX_MS: z.coerce.number().int().positive().default(30_000),
  /** A sender's messages accepted per hour; more are held (folder Held) until moved back to the inbox. */
  INBOUND_RATE_PER_HOUR: z.coerce.number().int().positive().default(20),
  ...mailReplyConfig,
});

export type InboundConfig = z.infer<typeof inboundConfigSchema>;

export function loadInboundConfig(env: NodeJS.ProcessEnv = process.env): InboundConfig {
  return loadConfig(inboundConfigSchema, env);
}
