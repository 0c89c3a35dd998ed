import type { TopicSpec } from '@woop/contracts';
import { ConfigResourceTypes, ConfigSource, type Kafka } from 'kafkajs';

/**
 * Creates missing topics (with their `config`), grows partition counts that are below the
 * documented ones (Kafka cannot shrink them), and brings an existing topic's `config` keys back
 * to the documented values (the users topic created before it was compacted). Returns the names
 * it created. Safe to run on every start: it alters only a topic whose values differ.
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
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor,
          ...(t.config ? { configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })) } : {}),
        })),
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
    const configured = present.filter((t) => t.config && Object.keys(t.config).length > 0);
    if (configured.length > 0) {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: configured.map((t) => ({ type: ConfigResourceTypes.TOPIC, name: t.name })),
      });
      for (const t of configured) {
        const current = resources.find((r) => r.resourceName === t.name)?.configEntries ?? [];
        // Kept: the topic's other overrides (set by an operator); ours on top. `alterConfigs`
        // replaces the whole set of a topic's overrides, so the others are sent back with it.
        const overrides = current.filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG && e.configValue !== null);
        const differs = Object.entries(t.config!).some(
          ([name, value]) => current.find((e) => e.configName === name)?.configValue !== value,
        );
        if (!differs) continue;
        const merged = new Map(overrides.map((e) => [e.configName, e.configValue]));
        for (const [name, value] of Object.entries(t.config!)) merged.set(name, value);
        await admin.alterConfigs({
          validateOnly: false,
          resources: [
            {
              type: ConfigResourceTypes.TOPIC,
              name: t.name,
              configEntries: [...merged].map(([name, value]) => ({ name, value })),
            },
          ],
        });
      }
    }
    return missing.map((t) => t.name);
  } finally {
    await admin.disconnect();
  }
}
