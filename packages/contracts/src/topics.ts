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

export const TOPICS = {
  users: { name: 'woop.identity.users.v1', partitions: 3, carries: 'user.* events, keyed by user id' },
  organizations: {
    name: 'woop.identity.organizations.v1',
    partitions: 1,
    carries: 'organization.* events, keyed by organisation id',
  },
  tickets: { name: 'woop.tickets.v1', partitions: 6, carries: 'ticket.* events, keyed by ticket reference' },
  notificationsDeadLetter: {
    name: 'woop.notifications.dead-letter.v1',
    partitions: 1,
    carries: 'events whose email could not be sent after the retry limit',
  },
} as const satisfies Record<string, TopicSpec>;

export const ALL_TOPICS: readonly TopicSpec[] = Object.values(TOPICS);
