import { createEventPublisher, createKafka, kafkaReadiness, type Logger, type ServiceParts } from '@woop/service-kit';
import type { InboundConfig } from './config';
import { MailboxReader, type ReaderSettings } from './mailbox/reader';

export function readerSettings(config: InboundConfig): ReaderSettings {
  return {
    host: config.IMAP_HOST,
    port: config.IMAP_PORT,
    tls: config.IMAP_TLS,
    user: config.IMAP_USER,
    password: config.IMAP_PASSWORD,
    mailbox: config.INBOUND_MAILBOX,
    folders: {
      processed: config.INBOUND_PROCESSED_FOLDER,
      refused: config.INBOUND_REFUSED_FOLDER,
      held: config.INBOUND_HELD_FOLDER,
    },
    pollMs: config.INBOUND_POLL_MS,
    reconnectMaxMs: config.INBOUND_RECONNECT_MAX_MS,
    ratePerHour: config.INBOUND_RATE_PER_HOUR,
    supportAddress: config.MAIL_SUPPORT_ADDRESS,
    keys: [config.MAIL_REPLY_KEY, ...config.MAIL_REPLY_PREVIOUS_KEYS],
  };
}

/**
 * The support mailbox → `mail.received` events on Kafka (see reader.ts). No HTTP API: /readyz
 * says whether the mailbox and Kafka are reached, /metrics counts the messages by outcome.
 */
export function inboundService(config: InboundConfig, logger: Logger, overrides: Partial<ReaderSettings> = {}) {
  const kafka = createKafka('inbound', config.KAFKA_BROKERS, logger);
  const publisher = createEventPublisher(kafka);
  const reader = new MailboxReader({ ...readerSettings(config), ...overrides }, publisher, logger);
  reader.start();
  const kafkaReady = kafkaReadiness('inbound', config.KAFKA_BROKERS, logger);
  const parts: ServiceParts = {
    readiness: [reader.readiness, kafkaReady],
    closeables: [reader, publisher, kafkaReady],
  };
  return { parts, reader, publisher };
}
