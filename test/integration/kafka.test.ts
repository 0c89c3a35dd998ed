import { Partitioners } from 'kafkajs';
import { ALL_TOPICS, makeEvent, parseEvent, type TopicSpec } from '@woop/contracts';
import { createKafka, createLogger, ensureTopics, kafkaReadiness } from '@woop/service-kit';
import { uniqueId } from '../support/ids';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');
const kafka = createKafka('kafka-test', brokers, logger);

describe('Kafka 4 (KRaft) through kafkajs and the project helpers', () => {
  it("runs the tests on topics of their own, never the local stack's", () => {
    // Services spawned by the tests read the same variable: a stack on this broker never sees them.
    expect(process.env.WOOP_TOPIC_NAMESPACE).toBe('test');
    for (const spec of ALL_TOPICS) expect(spec.name).toMatch(/^test\.woop\./);
  });

  it('has the project topics with their documented partition counts', async () => {
    await ensureTopics(kafka, ALL_TOPICS);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: ALL_TOPICS.map((t) => t.name) });
      for (const spec of ALL_TOPICS) {
        expect(topics.find((t) => t.name === spec.name)?.partitions).toHaveLength(spec.partitions);
      }
    } finally {
      await admin.disconnect();
    }
  });

  it('creates a missing topic, grows a short one, and is idempotent', async () => {
    const spec: TopicSpec = { name: uniqueId('test.topic'), partitions: 2, carries: 'test' };
    expect(await ensureTopics(kafka, [spec])).toEqual([spec.name]);
    expect(await ensureTopics(kafka, [spec])).toEqual([]);
    await ensureTopics(kafka, [{ ...spec, partitions: 4 }]);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [spec.name] });
      expect(topics[0]?.partitions).toHaveLength(4);
      await admin.deleteTopics({ topics: [spec.name] });
    } finally {
      await admin.disconnect();
    }
  });

  it('delivers a produced event, keyed and enveloped, to a consumer group', async () => {
    const topic = uniqueId('test.events');
    await ensureTopics(kafka, [{ name: topic, partitions: 3, carries: 'test' }]);
    const event = makeEvent({
      id: uniqueId('evt'),
      source: 'test',
      type: 'ticket.created',
      subject: 'SUPPORT-1',
      data: { reference: 'SUPPORT-1' },
    });
    const consumer = kafka.consumer({ groupId: uniqueId('test-group') });
    const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const received = new Promise<{ key: string; value: ReturnType<typeof parseEvent> }>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            resolve({ key: message.key?.toString() ?? '', value: parseEvent(message.value ?? '') });
          },
        });
      });
      await producer.connect();
      await producer.send({ topic, messages: [{ key: event.subject, value: JSON.stringify(event) }] });
      const got = await received;
      expect(got.key).toBe('SUPPORT-1');
      expect(got.value).toEqual(event);
    } finally {
      await producer.disconnect();
      await consumer.disconnect();
    }
  });

  it('answers the readiness check', async () => {
    const check = kafkaReadiness('kafka-test', brokers, logger);
    await expect(check.check()).resolves.toBeUndefined();
    await check.close();
  });
});
