import type { TopicSpec } from '@woop/contracts';
import type { Kafka } from 'kafkajs';

/**
 * Creates missing topics and grows partition counts that are below the documented ones
 * (Kafka cannot shrink them). Returns the names it created. Safe to run on every start.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly TopicSpec[],
  replicationFactor = 1,
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor })),
      });
    }
    const present = topics.filter((t) => existing.has(t.name));
    if (present.length > 0) {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: present.map((t) => t.name) });
      const grow = present.filter((t) => {
        const m = metadata.find((x) => x.name === t.name);
        return m !== undefined && m.partitions.length < t.partitions;
      });
      if (grow.length > 0) {
        await admin.createPartitions({ topicPartitions: grow.map((t) => ({ topic: t.name, count: t.partitions })) });
      }
    }
    return missing.map((t) => t.name);
  } finally {
    await admin.disconnect();
  }
}
