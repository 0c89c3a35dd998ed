import type { Consumer } from 'kafkajs';
import { TOPICS, type EventEnvelope } from '@woop/contracts';
import { createKafka, readEvent, type Logger } from '@woop/service-kit';
import { sleep } from './stats';

/** A ticket event as the bench saw it on Kafka: when it arrived, and the event. */
export interface SeenEvent {
  seenAt: number;
  event: EventEnvelope;
}

/**
 * Reads `woop.tickets.v1` from now on with a consumer group of its own, keeping the events of
 * the references the bench watches (its own tickets), by type.
 */
export class TicketEvents {
  private readonly watched = new Set<string>();
  private readonly byType = new Map<string, Map<string, SeenEvent>>();
  private consumer?: Consumer;

  constructor(
    private readonly brokers: string[],
    private readonly groupId: string,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const consumer = createKafka('bench', this.brokers, this.logger).consumer({ groupId: this.groupId });
    this.consumer = consumer;
    const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPICS.tickets.name], fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const seenAt = Date.now();
        const event = readEvent(message, this.logger);
        if (!event) return;
        const data = event.data as { ticket?: { reference?: string } };
        const reference = data.ticket?.reference ?? event.subject;
        if (!reference || !this.watched.has(reference)) return;
        let seen = this.byType.get(event.type);
        if (!seen) this.byType.set(event.type, (seen = new Map<string, SeenEvent>()));
        if (!seen.has(reference)) seen.set(reference, { seenAt, event });
      },
    });
    await joined;
    await sleep(1_000); // the group's first fetch position is set
  }

  watch(references: Iterable<string>): void {
    for (const r of references) this.watched.add(r);
  }

  /** The first event of `type` seen for each reference. */
  seen(type: string): Map<string, SeenEvent> {
    return this.byType.get(type) ?? new Map<string, SeenEvent>();
  }

  /** Waits until every reference has an event of `type`, or the time is up; returns how many did. */
  async waitFor(
    type: string,
    references: string[],
    timeoutMs: number,
    progress?: (n: number) => void,
  ): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let last = -1;
    for (;;) {
      const seen = this.seen(type);
      const n = references.filter((r) => seen.has(r)).length;
      if (n !== last) progress?.(n);
      last = n;
      if (n === references.length || Date.now() > deadline) return n;
      await sleep(250);
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/**
 * Watches MailDev for the emails of this run: every text the bench sends carries `marker` and a
 * number; the watcher polls the recent emails that contain the marker and notes when each
 * number first appeared. MailDev keeps everyone's emails: nothing is ever deleted there.
 */
export class MailWatcher {
  private readonly known = new Set<string>();
  private readonly firstSeen = new Map<number, number>();
  private timer?: NodeJS.Timeout;
  private polling = false;
  errors = 0;

  constructor(
    private readonly api: string,
    private readonly marker: string,
    private readonly intervalMs = 150,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const res = await fetch(
        `${this.api}/email/summary?search=${encodeURIComponent(this.marker)}&limit=200&sort=desc`,
        {
          signal: AbortSignal.timeout(5_000),
        },
      );
      const at = Date.now();
      const { items } = (await res.json()) as { items: Array<{ id: string }> };
      for (const item of items.filter((i) => !this.known.has(i.id))) {
        const email = (await (await fetch(`${this.api}/email/${item.id}`)).json()) as { text?: string };
        this.known.add(item.id);
        const pattern = new RegExp(`${this.marker}-(\\d+)`, 'g');
        for (const m of (email.text ?? '').matchAll(pattern)) {
          const n = Number(m[1]);
          if (!this.firstSeen.has(n)) this.firstSeen.set(n, at);
        }
      }
    } catch {
      this.errors++;
    } finally {
      this.polling = false;
    }
  }

  seenAt(n: number): number | undefined {
    return this.firstSeen.get(n);
  }

  async waitFor(numbers: number[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && numbers.some((n) => !this.firstSeen.has(n))) await sleep(200);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

/**
 * How many ticket events a consumer group has yet to commit, summed over partitions (a
 * partition it never committed on counts as caught up: a group that starts at the end).
 */
export async function consumerLag(brokers: string[], groupId: string, logger: Logger): Promise<number> {
  const admin = createKafka('bench-admin', brokers, logger).admin();
  await admin.connect();
  try {
    const topic = TOPICS.tickets.name;
    const [committed, ends] = await Promise.all([
      admin.fetchOffsets({ groupId, topics: [topic] }),
      admin.fetchTopicOffsets(topic),
    ]);
    const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    return ends.reduce((lag, p) => {
      const at = done.get(p.partition) ?? -1;
      return lag + (at < 0 ? 0 : Math.max(0, Number(p.high) - at));
    }, 0);
  } finally {
    await admin.disconnect();
  }
}
