import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import type { EventEnvelope } from '@woop/contracts';
import type { Model } from 'mongoose';
import type { EventPublisher } from './clients/event-publisher';
import { contextFromCarrier, traceCarrier, type TraceCarrier } from './clients/trace-context';
import type { Logger } from './logger';
import { watchOutboxBacklog } from './metrics';

/**
 * Transactional outbox without transactions (FerretDB has none): an event is pushed into the
 * `outbox` array of the very document whose write it describes, in the same update, so both
 * happen or neither does. The relay publishes what it finds there and then pulls exactly those
 * entries. A crash between the two publishes them again: consumers de-duplicate by event id.
 */
export interface OutboxEntry {
  topic: string;
  event: EventEnvelope;
  /**
   * Set: not the event but a tombstone (a null value) for this key, published where the event
   * would be (`tombstoneEntry`). The event is still there, for whoever reads the outbox.
   */
  tombstone?: string;
  /**
   * The trace of the request that wrote the entry (W3C `traceparent`), so the event published
   * later by the relay continues that request's trace instead of starting one of its own.
   */
  trace?: TraceCarrier;
}

/**
 * An outbox entry that remembers the current trace: for writers that put entries in a document
 * themselves (`outbox: [entry]` on a create) rather than through `outboxPush`.
 */
export function outboxEntry(topic: string, event: EventEnvelope): OutboxEntry {
  const trace = traceCarrier();
  return Object.keys(trace).length > 0 ? { topic, event, trace } : { topic, event };
}

/**
 * A tombstone for `key` on `topic` (a compacted topic: the log cleaner then drops the key's
 * earlier records), published in order with the document's other entries. `about` is the event
 * it follows, kept in the entry for the trace and for operators.
 */
export function tombstoneEntry(topic: string, key: string, about: EventEnvelope): OutboxEntry {
  return { ...outboxEntry(topic, about), tombstone: key };
}

/** The update fragment that records events with a write: `{ $push: outboxPush(...) }`. */
export function outboxPush(...entries: OutboxEntry[]): { outbox: { $each: OutboxEntry[] } } {
  const trace = traceCarrier();
  const traced = Object.keys(trace).length > 0;
  return { outbox: { $each: traced ? entries.map((e) => ({ trace, ...e })) : entries } };
}

export interface OutboxRelay {
  /** Relays now (after a write) instead of at the next sweep. */
  kick(): void;
  /** One full pass; resolves with the number of events published. */
  relayOnce(): Promise<number>;
  /**
   * Runs a write to a document that has an outbox so that it never interleaves with the relay's
   * removal of relayed events in this process. FerretDB applies an update as read, modify,
   * write: a removal begun before the write put back the document it had read and erased the
   * write (an organisation's new name was lost so in a test). MongoDB's updates are atomic.
   */
  write<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function startOutboxRelay(opts: {
  models: Array<Model<never>>;
  publisher: EventPublisher;
  logger: Logger;
  /** Sweep period: picks up what a crash or a Kafka outage left behind. */
  intervalMs?: number;
}): OutboxRelay {
  const { models, publisher, logger } = opts;
  let running: Promise<number> | undefined;
  // One write at a time among the writers and the relay's removals (see `write`).
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };
  let again = false;
  let failures = 0;

  const pass = async (): Promise<number> => {
    let published = 0;
    for (const model of models) {
      const docs = await model.collection
        .find({ 'outbox.0': { $exists: true } }, { projection: { outbox: 1 } })
        .limit(100)
        .toArray();
      for (const doc of docs) {
        const entries = (doc.outbox ?? []) as OutboxEntry[];
        // Per topic, in order; a topic's events split into runs of one trace each, so every
        // event goes out in the trace it was written in and a key's order is kept.
        // A tombstone is a run of its own, after the events before it.
        type Run = { trace?: TraceCarrier; events: EventEnvelope[]; tombstones?: string[] };
        const byTopic = new Map<string, Run[]>();
        for (const e of entries) {
          const runs = byTopic.get(e.topic) ?? [];
          const last = runs[runs.length - 1];
          if (e.tombstone !== undefined) {
            if (last?.tombstones) last.tombstones.push(e.tombstone);
            else runs.push({ ...(e.trace ? { trace: e.trace } : {}), events: [], tombstones: [e.tombstone] });
          } else if (last && !last.tombstones && last.trace?.traceparent === e.trace?.traceparent) {
            last.events.push(e.event);
          } else runs.push({ ...(e.trace ? { trace: e.trace } : {}), events: [e.event] });
          byTopic.set(e.topic, runs);
        }
        for (const [topic, runs] of byTopic) {
          for (const { trace, events, tombstones } of runs) {
            await context.with(contextFromCarrier(trace), () =>
              tombstones ? publisher.publishTombstones(topic, tombstones) : publisher.publish(topic, events),
            );
          }
        }
        await exclusive(() => model.collection.updateOne({ _id: doc._id }, { $pullAll: { outbox: entries } } as never));
        published += entries.length;
      }
    }
    return published;
  };

  const run = (): Promise<number> => {
    if (running) {
      again = true;
      return running;
    }
    // Background work: not part of the request whose write kicked it (each batch gets its own
    // trace back from its entries).
    running = context
      .with(ROOT_CONTEXT, async () => {
        let total = 0;
        do {
          again = false;
          total += await pass();
        } while (again);
        return total;
      })
      .then((n) => {
        if (failures > 0) logger.info({ after: failures }, 'outbox relay recovered');
        failures = 0;
        return n;
      })
      .catch((err) => {
        failures++;
        logger.warn({ err, failures }, 'outbox relay failed; events stay in the outbox and are retried');
        return 0;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const timer = setInterval(() => void run(), opts.intervalMs ?? 2_000);
  timer.unref();
  // The backlog gauge: documents still holding events, counted at each scrape.
  const unwatch = models.map((model) =>
    watchOutboxBacklog(model.collection.collectionName, () =>
      model.collection.countDocuments({ 'outbox.0': { $exists: true } }),
    ),
  );
  return {
    kick: () => void run(),
    relayOnce: run,
    write: exclusive,
    async close() {
      clearInterval(timer);
      for (const stop of unwatch) stop();
      await running;
    },
  };
}
