/**
 * Kafka topics of the system. Events are keyed by the id of the entity they are about, so one
 * entity's events stay in order on one partition; partitions bound how many consumers of one
 * group work in parallel. Production runs replication 3 (see docker-compose.yml / docs/architecture.md).
 */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** What is published there, for the docs and for operators reading the stream. */
  readonly carries: string;
  /**
   * Topic-level configuration set at creation and brought back to these values on an existing
   * topic by `ensureTopics` (service-kit): only the keys named here.
   */
  readonly config?: Readonly<Record<string, string>>;
}

/**
 * The users topic is compacted by user id: Kafka keeps the latest record of each key, and the
 * tombstone identity publishes at erasure (a null value for the user id, and one for the key of
 * the address's sign-up events) makes the cleaner drop every earlier record of that person,
 * then the tombstone itself after `delete.retention.ms`. Compaction never touches the active
 * segment: `segment.ms` rolls it hourly and `max.compaction.lag.ms` makes a dirty segment
 * cleanable within a day whatever the dirty ratio, so an erased person's records are gone from
 * the topic about a day (plus the cleaner's own delay) after the erasure. A consumer lagging by
 * less than `delete.retention.ms` still reads the tombstone (and erases on it).
 */
export const USERS_TOPIC_CONFIG = {
  'cleanup.policy': 'compact',
  'segment.ms': String(60 * 60 * 1000),
  'min.cleanable.dirty.ratio': '0.1',
  'max.compaction.lag.ms': String(24 * 60 * 60 * 1000),
  'delete.retention.ms': String(24 * 60 * 60 * 1000),
} as const;

/**
 * The key of identity's events about an address that has no account yet (sign-up): a digest of
 * the address, never the address itself, so that the erasure's tombstone for this key can
 * remove them from the compacted topic. `digest` is identity's keyed HMAC of the lower-cased
 * address (not reversible by trying a list of addresses without identity's key).
 */
export const addressKey = (digest: string): string => `address:${digest}`;

/**
 * A namespace in front of every topic name, from `WOOP_TOPIC_NAMESPACE` (empty by default): the
 * tests set it (test/setup/env.ts) so they never read a running local stack's events nor leave
 * theirs for it to email. Read once at load; the workflow sandbox has no `process` and uses no topic.
 */
export const TOPIC_NAMESPACE = topicNamespace(
  typeof process === 'undefined' ? undefined : process.env?.WOOP_TOPIC_NAMESPACE,
);

export function topicNamespace(value: string | undefined): string {
  if (!value) return '';
  if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(value)) {
    throw new Error(`WOOP_TOPIC_NAMESPACE must be lower-case letters, digits and dashes, got ${JSON.stringify(value)}`);
  }
  return `${value}.`;
}

const named = (name: string) => `${TOPIC_NAMESPACE}${name}`;

export const TOPICS = {
  users: {
    name: named('woop.identity.users.v1'),
    partitions: 3,
    carries:
      'user.* events, keyed by user id (sign-up events by a digest of the address); compacted, tombstone at erasure',
    config: USERS_TOPIC_CONFIG,
  },
  organizations: {
    name: named('woop.identity.organizations.v1'),
    partitions: 1,
    carries: 'organization.* events, keyed by organisation id',
  },
  tickets: { name: named('woop.tickets.v1'), partitions: 6, carries: 'ticket.* events, keyed by ticket reference' },
  mail: {
    name: named('woop.inbound.mail.v1'),
    partitions: 3,
    carries:
      'mail.received events: one per email read from the support mailbox and accepted, keyed by the request a reply answers (else the message key)',
    // A message may carry its attachments (MAIL_MESSAGE_MAX_BYTES, base64): above the broker's 1 MB.
    config: { 'max.message.bytes': String(24 * 1024 * 1024) },
  },
  notificationsDeadLetter: {
    name: named('woop.notifications.dead-letter.v1'),
    partitions: 1,
    carries: 'events whose email could not be sent after the retry limit',
  },
} as const satisfies Record<string, TopicSpec>;

export const ALL_TOPICS: readonly TopicSpec[] = Object.values(TOPICS);
