import { ALL_TOPICS } from '@woop/contracts';
import { baseConfigSchema, loadConfig } from '../config';
import { createKafka } from '../clients/kafka';
import { ensureTopics } from '../topics';
import { createLogger } from '../logger';

/** `npm run topics`: creates the project's Kafka topics (idempotent). */
async function main() {
  const config = loadConfig(baseConfigSchema);
  const logger = createLogger('topics', config.LOG_LEVEL);
  const kafka = createKafka('woop-topics', config.KAFKA_BROKERS, logger);
  const created = await ensureTopics(kafka, ALL_TOPICS, Number(process.env.KAFKA_REPLICATION_FACTOR ?? 1));
  for (const t of ALL_TOPICS) {
    logger.info({ topic: t.name, partitions: t.partitions, created: created.includes(t.name) }, 'topic ready');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
