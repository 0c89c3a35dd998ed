import { parseEvent, TOPICS } from '@woop/contracts';
import { createKafka, createLogger } from '@woop/service-kit';
import { loadNotificationsConfig } from '../config';
import { notificationsService } from '../service';

/**
 * `npm run notifications:retry`: replays the dead-letter topic once SMTP works again. Each
 * parked email is sent to its one recipient (the delivery log stops a second copy), then the
 * command exits when the topic has been read to its end.
 */
async function main() {
  const config = loadNotificationsConfig();
  const logger = createLogger('notifications-retry', config.LOG_LEVEL);
  const service = notificationsService(config, logger, { consume: false });
  await service.started;
  const kafka = createKafka('notifications-retry', config.KAFKA_BROKERS, logger);
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(TOPICS.notificationsDeadLetter.name);
  await admin.disconnect();
  // Read each partition up to the end it had when the command started.
  const pending = new Map(ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]));
  const consumer = kafka.consumer({ groupId: 'notifications-dead-letter-replay' });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.notificationsDeadLetter.name, fromBeginning: true });
  let replayed = 0;
  await new Promise<void>((resolve, reject) => {
    if (pending.size === 0) return resolve();
    void consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          const event = parseEvent(message.value ?? '');
          const recipient = (event.data.deadLetter as { recipient?: string } | undefined)?.recipient;
          delete event.data.deadLetter;
          await service.handle(event, undefined, recipient);
          replayed++;
          if (Number(message.offset) + 1 >= (pending.get(partition) ?? 0)) pending.delete(partition);
          if (pending.size === 0) resolve();
        },
      })
      .catch(reject);
  });
  logger.info({ replayed }, 'dead letters replayed');
  await consumer.disconnect();
  for (const c of service.parts.closeables) await c.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
