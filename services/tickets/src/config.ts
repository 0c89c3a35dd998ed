import { baseConfigSchema, loadConfig, mailReplyConfig, temporalPayloadConfig } from '@woop/service-kit';
import {
  ATTACHMENTS_PER_TICKET,
  TICKETS_TASK_QUEUE,
  type BusinessCalendarSpec,
  type LifecycleWindows,
  type SlaPolicy,
} from '@woop/contracts';
import { DEFAULT_SLA_POLICIES, lifecycleWindows, ROUND_THE_CLOCK_CALENDAR } from '@woop/ticket-domain';
import { getHeapStatistics } from 'node:v8';
import { z } from 'zod';

/**
 * 1,500 ticket workflows in the worker's cache, or fewer when the heap cannot hold them at ~1 MB
 * each beside the rest of the worker (~0.5 GB): a small machine's default heap stays safe.
 */
export const defaultCachedWorkflows = (heapLimitBytes = getHeapStatistics().heap_size_limit): number =>
  Math.max(100, Math.min(1_500, Math.floor(heapLimitBytes / 2 ** 20 - 512)));

export const ticketsConfigSchema = baseConfigSchema.extend({
  /**
   * Keys of the Temporal payload encryption (payload-codec.ts), shared by the API, the worker and
   * the gateway's codec endpoint: `id:base64 key` comma list, and the current one's id.
   */
  ...temporalPayloadConfig,
  /**
   * Opens the satisfaction links of the emails sent when a request becomes TERMINÉ (notifications
   * makes them): the same MAIL_REPLY_KEY (a production secret) and previous keys as notifications'.
   */
  MAIL_REPLY_KEY: mailReplyConfig.MAIL_REPLY_KEY,
  MAIL_REPLY_PREVIOUS_KEYS: mailReplyConfig.MAIL_REPLY_PREVIOUS_KEYS,
  /** The tickets API's HTTP port. */
  TICKETS_PORT: z.coerce.number().int().min(0).max(65535).default(3002),
  /** The worker process answers its own /healthz and /readyz here. */
  TICKETS_WORKER_PORT: z.coerce.number().int().min(0).max(65535).default(3004),
  /**
   * host:port of the Temporal SDK's own Prometheus exporter in the worker (task slots, poll and
   * schedule-to-start latencies, sticky cache, activity and workflow task failures), beside the
   * worker's /metrics on TICKETS_WORKER_PORT. Empty: not exported.
   */
  TEMPORAL_SDK_METRICS_ADDRESS: z.string().default('127.0.0.1:3104'),
  /** The task queue of the ticket workflows (the API starts them there, the worker polls it). */
  TICKETS_TASK_QUEUE: z.string().default(TICKETS_TASK_QUEUE),
  /**
   * Ticket workflows the worker keeps in memory between their tasks (the SDK's sticky cache);
   * one that is evicted reloads its modules and replays its history on its next task. The SDK's
   * default follows the heap's size and let a worker with a few thousand open tickets grow past
   * 3.5 GB and die (issue 13's bench). A cached ticket costs ~0.3 MB, ~1 MB once it has checked
   * an action's payload (zod, loaded then: packages/ticket-domain/src/lifecycle/rules.ts), so 1,500 (fewer on a
   * small heap: `defaultCachedWorkflows`) bounds that part to ~0.4–1.5 GB. Below the number of
   * tickets whose timers fire together, an SLA storm evicts each ticket before its next task:
   * 1,000 breaches in a minute took p99 7.8 s at 500, 3.1 s at 1,500 (bench, 2 cores).
   */
  TICKETS_WORKER_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(defaultCachedWorkflows),
  /** The tickets database (the read model, the catalogue, the people directory, attachments). */
  MONGODB_DB: z.string().default('tickets'),
  /**
   * References continue after this number (SUPPORT-<floor+1> first): set it to the last
   * reference of the portal being replaced so numbers are never reused.
   */
  TICKET_REFERENCE_FLOOR: z.coerce.number().int().min(0).default(0),
  /**
   * Deadline of the API's calls to Temporal for one request (a create or an action includes the
   * projection of its version), under the gateway's upstream timeout (UPSTREAM_TIMEOUT_MS, 5 s)
   * so that a Temporal or worker outage answers 503 with Retry-After instead of a gateway timeout.
   */
  TICKETS_TEMPORAL_TIMEOUT_MS: z.coerce.number().int().positive().default(4_000),
  /**
   * The create queue (api/create-queue.ts): creates running against Temporal at once, creates
   * waiting beyond them (one more answers 503 at once), and the longest wait before a 503. The
   * wait comes before the Temporal deadline: a create may take TICKETS_CREATE_WAIT_MS +
   * TICKETS_TEMPORAL_TIMEOUT_MS, under the gateway's UPSTREAM_CREATE_TIMEOUT_MS (30 s).
   */
  TICKETS_CREATE_CONCURRENCY: z.coerce.number().int().positive().default(8),
  TICKETS_CREATE_QUEUE: z.coerce.number().int().min(0).default(256),
  TICKETS_CREATE_WAIT_MS: z.coerce.number().int().positive().default(20_000),
  /** Consumer group of the tickets service on identity's user.* events (people's names, erasure). */
  TICKETS_GROUP_ID: z.string().default('tickets'),
  /** A new group reads user.* from the beginning, so a fresh install learns everyone. */
  TICKETS_USERS_FROM_BEGINNING: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /**
   * The group reading the email channel's `mail.received` events (replies, new requests); by
   * default `<TICKETS_GROUP_ID>-mail`.
   */
  TICKETS_MAIL_GROUP_ID: z.string().optional(),
  /** Whether a new mail group starts at the oldest event (idempotent); by default as TICKETS_USERS_FROM_BEGINNING. */
  TICKETS_MAIL_FROM_BEGINNING: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true')),
  /**
   * The working calendar of new tickets' SLA clocks and windows: the Paris office's hours
   * (Monday to Friday 9:00-18:00, French holidays) or every minute of every day.
   */
  TICKET_CALENDAR: z.enum(['paris-office-hours', 'round-the-clock']).default('paris-office-hours'),
  /** Business days a customer has to validate an answer before it is validated for them. */
  TICKET_VALIDATION_WINDOW_DAYS: z.coerce.number().positive().default(5),
  /** Business days before automatic validation at which the customer is reminded (0 = never). */
  TICKET_VALIDATION_REMINDER_DAYS: z.coerce.number().min(0).default(1),
  /** Business days a finished ticket can be reopened before it is closed for good. */
  TICKET_REOPEN_WINDOW_DAYS: z.coerce.number().positive().default(10),
  /** Files one ticket holds at most, in number (409 attachment_limit_reached beyond)… */
  TICKET_ATTACHMENTS_MAX_FILES: z.coerce.number().int().min(1).default(ATTACHMENTS_PER_TICKET.files),
  /** …in bytes, all the files together. */
  TICKET_ATTACHMENTS_MAX_BYTES: z.coerce.number().int().min(1).default(ATTACHMENTS_PER_TICKET.bytes),
});

export type TicketsConfig = z.infer<typeof ticketsConfigSchema>;

export const loadTicketsConfig = (env: NodeJS.ProcessEnv = process.env): TicketsConfig =>
  loadConfig(ticketsConfigSchema, env);

/** The SLA policy a new ticket of a request type gets, on the configured calendar. */
export const slaPolicyOf = (config: TicketsConfig, name: keyof typeof DEFAULT_SLA_POLICIES): SlaPolicy => {
  const policy = DEFAULT_SLA_POLICIES[name];
  return config.TICKET_CALENDAR === 'round-the-clock' ? { ...policy, calendar: ROUND_THE_CLOCK_CALENDAR } : policy;
};

/** The client-validation and reopen windows new tickets get, on the policy's calendar. */
export const ticketWindows = (config: TicketsConfig, calendar: BusinessCalendarSpec): LifecycleWindows =>
  lifecycleWindows(
    {
      validationDays: config.TICKET_VALIDATION_WINDOW_DAYS,
      validationReminderDays: config.TICKET_VALIDATION_REMINDER_DAYS,
      reopenDays: config.TICKET_REOPEN_WINDOW_DAYS,
    },
    calendar,
  );
