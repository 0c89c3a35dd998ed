import type { Consumer, ConsumerConfig, ConsumerRunConfig, ConsumerSubscribeTopics, Kafka } from 'kafkajs';
import type { Logger } from '../logger';
import type { ReadinessCheck } from '../readiness';

export interface KeptConsumer {
  /** Down until the consumer runs, and again after a crash until it runs anew. */
  readonly readiness: ReadinessCheck;
  /** Resolves the first time the consumer has joined its group (never rejects). */
  readonly joined: Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a Kafka consumer and keeps it running for the life of the service. kafkajs gives up on a
 * start when the broker does not answer (its connect retries last seconds) and stops for good
 * after a crash it does not restart by itself; either way the service went on answering ready
 * while no message was read. Here a failed start or such a crash makes a new consumer, retried
 * with backoff (1 s doubling to 30 s) until it runs, and `readiness` says down meanwhile.
 * `before` runs first on each attempt (e.g. waiting for the database).
 */
export function keepConsuming(
  kafka: Kafka,
  opts: {
    name: string;
    groupId: string;
    subscribe: ConsumerSubscribeTopics;
    run: ConsumerRunConfig;
    before?: () => Promise<unknown>;
    logger: Logger;
    maxBackoffMs?: number;
    /** kafkajs consumer settings besides the group (e.g. fetch sizes for big events). */
    consumer?: Omit<ConsumerConfig, 'groupId'>;
  },
): KeptConsumer {
  const { logger, name } = opts;
  let consumer: Consumer | undefined;
  let running = false;
  let closed = false;
  let wake: (() => void) | undefined;
  let joinedOnce: () => void = () => {};
  const joined = new Promise<void>((resolve) => (joinedOnce = resolve));

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const start = async () => {
    let backoff = 1_000;
    while (!closed) {
      const attempt = kafka.consumer({ ...opts.consumer, groupId: opts.groupId });
      consumer = attempt;
      attempt.on(attempt.events.GROUP_JOIN, () => joinedOnce());
      attempt.on(attempt.events.CRASH, (e) => {
        if (e.payload.restart || closed || consumer !== attempt) return; // kafkajs restarts it itself
        running = false;
        logger.error({ err: e.payload.error, consumer: name }, 'Kafka consumer crashed; starting a new one');
        void attempt.disconnect().catch(() => undefined);
        void start();
      });
      try {
        await opts.before?.();
        await attempt.connect();
        await attempt.subscribe(opts.subscribe);
        await attempt.run(opts.run);
        running = true;
        if (backoff > 1_000) logger.info({ consumer: name }, 'Kafka consumer running again');
        return;
      } catch (err) {
        running = false;
        await attempt.disconnect().catch(() => undefined);
        if (closed) return;
        logger.warn({ err, consumer: name, retryInMs: backoff }, 'Kafka consumer could not start; retrying');
        await pause(backoff);
        backoff = Math.min(backoff * 2, opts.maxBackoffMs ?? 30_000);
      }
    }
  };
  void start();

  return {
    readiness: {
      name: `${name}-consumer`,
      async check() {
        if (!running) throw new Error(`the ${name} consumer is not running`);
      },
    },
    joined,
    async close() {
      closed = true;
      running = false;
      wake?.();
      await consumer?.disconnect().catch(() => undefined);
    },
  };
}
