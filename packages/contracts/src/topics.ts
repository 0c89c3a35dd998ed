/**
 * Kafka topics of the system. Events are keyed by the id of the entity they are about, so one
 * entity's events stay in order on one partition; partitions bound how many consumers of one
 * group work in parallel. Production runs replication 3 (see docker-compose.yml / README).
 */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** What is published there, for the docs and for operators reading the stream. */
  readonly carries: string;
}

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
  users: { name: named('woop.identity.users.v1'), partitions: 3, carries: 'user.* events, keyed by user id' },
  organizations: {
    name: named('woop.identity.organizations.v1'),
    partitions: 1,
    carries: 'organization.* events, keyed by organisation id',
  },
  tickets: { name: named('woop.tickets.v1'), partitions: 6, carries: 'ticket.* events, keyed by ticket reference' },
  notificationsDeadLetter: {
    name: named('woop.notifications.dead-letter.v1'),
    partitions: 1,
    carries: 'events whose email could not be sent after the retry limit',
  },
} as const satisfies Record<string, TopicSpec>;

export const ALL_TOPICS: readonly TopicSpec[] = Object.values(TOPICS);
