import type { RequestHandler } from 'express';
import type { Kafka, Admin } from 'kafkajs';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Closeable } from './lifecycle';
import type { Logger } from './logger';

/**
 * Prometheus metrics of one process. One registry per process (a service or the worker runs
 * alone in production); every series of the project is registered here, and `/metrics`
 * (`metricsHandler`) serves it. docs/operations.md says what each series means and what to
 * alert on. Metrics of one domain are made where they are counted (`counter()` returns the one
 * already registered under that name, so a module loaded twice does not throw).
 */
export const metricsRegistry = new Registry();

let processMetrics = false;
/** Node's default process metrics (CPU, memory, event-loop lag, GC, handles), once per process. */
export function collectProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

export function counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
  const existing = metricsRegistry.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [metricsRegistry] });
}

function gauge<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
  collect?: (this: Gauge<L>) => Promise<void>,
): Gauge<L> {
  const existing = metricsRegistry.getSingleMetric(name);
  if (existing) return existing as Gauge<L>;
  return new Gauge({ name, help, labelNames, registers: [metricsRegistry], ...(collect ? { collect } : {}) });
}

// ---- HTTP -------------------------------------------------------------------------------------

/** Rate (`_count`), errors (`status_code` 5xx) and latency (buckets) of every route. */
export const httpRequestDuration = new Histogram({
  name: 'http_server_request_duration_seconds',
  help: 'HTTP requests served, by method, route template (no ids) and status code; seconds until the response ended',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

const NOT_MEASURED = new Set(['/metrics', '/healthz', '/readyz']);

/**
 * The route a request matched, as its template (`/v1/tickets/:reference`): never the raw path,
 * which holds ids and would make one series per ticket. Unmatched requests share one label.
 */
export function routeLabel(
  req: {
    baseUrl?: string;
    route?: { path?: unknown };
    path?: string;
  },
  statusCode: number,
): string {
  const path = req.route?.path;
  if (typeof path === 'string') return `${req.baseUrl ?? ''}${path}` || '/';
  if (path instanceof RegExp || Array.isArray(path)) return `${req.baseUrl ?? ''}${String(path)}`;
  if (statusCode === 404) return 'unmatched';
  // Served by a middleware mounted on a prefix (static files): the prefix only.
  return req.baseUrl ? `${req.baseUrl}/*` : 'middleware';
}

/**
 * Times every request but the probes and /metrics itself. The route is read when Express
 * assigns `req.route`: `req.baseUrl` is the mount path of the matched router then, while by the
 * end of a failed request Express has already restored it (an error handler answered).
 */
export function httpMetrics(): RequestHandler {
  return (req, res, next) => {
    if (NOT_MEASURED.has(req.path)) return next();
    const end = httpRequestDuration.startTimer();
    let route: unknown;
    let matched: string | undefined;
    Object.defineProperty(req, 'route', {
      configurable: true,
      enumerable: true,
      get: () => route,
      set(value: { path?: unknown } | undefined) {
        route = value;
        matched = value ? routeLabel({ baseUrl: req.baseUrl, route: value }, 200) : undefined;
      },
    });
    res.once('finish', () => {
      const label = matched ?? routeLabel({ baseUrl: req.baseUrl }, res.statusCode);
      end({ method: req.method, route: label, status_code: String(res.statusCode) });
    });
    next();
  };
}

/** GET /metrics in Prometheus' text format. */
export function metricsHandler(): RequestHandler {
  collectProcessMetrics();
  return async (_req, res, next) => {
    try {
      const body = await metricsRegistry.metrics();
      res.setHeader('Content-Type', metricsRegistry.contentType);
      res.setHeader('Cache-Control', 'no-store');
      res.end(body);
    } catch (err) {
      next(err);
    }
  };
}

// ---- Kafka consumer lag -------------------------------------------------------------------------

interface LagSource {
  groupId: string;
  topics: string[];
  admin(): Promise<Admin>;
  logger: Logger;
}
const lagSources = new Set<LagSource>();
const LAG_TIMEOUT_MS = 3_000;

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref()),
  ]);

/**
 * Messages not yet consumed: high watermark minus the group's committed offset, per partition
 * (minus the low watermark when the group committed nothing there). Read from the brokers at
 * each scrape, so a stuck consumer shows a growing lag (its own events would stop).
 */
export const kafkaConsumerLag = gauge(
  'kafka_consumer_lag_messages',
  'Messages of a topic partition not yet committed by a consumer group (high watermark − committed offset)',
  ['group', 'topic', 'partition'],
  async function collect() {
    this.reset();
    await Promise.all(
      [...lagSources].map(async (source) => {
        try {
          const admin = await withTimeout(source.admin(), LAG_TIMEOUT_MS);
          for (const topic of source.topics) {
            const [ends, committed] = await withTimeout(
              Promise.all([
                admin.fetchTopicOffsets(topic),
                admin.fetchOffsets({ groupId: source.groupId, topics: [topic] }),
              ]),
              LAG_TIMEOUT_MS,
            );
            const done = new Map(
              (committed.find((c) => c.topic === topic)?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]),
            );
            for (const end of ends) {
              const at = done.get(end.partition) ?? -1;
              const lag = Number(end.high) - (at >= 0 ? at : Number(end.low));
              this.set({ group: source.groupId, topic, partition: String(end.partition) }, Math.max(0, lag));
            }
          }
        } catch (err) {
          // No value rather than a stale one: the alert on a missing series catches a long outage.
          source.logger.warn({ err, group: source.groupId }, 'could not read the consumer lag');
        }
      }),
    );
  },
);

/** Reports the lag of `groupId` on `topics` at each scrape, with an admin client opened on first use. */
export function watchConsumerLag(kafka: Kafka, groupId: string, topics: string[], logger: Logger): Closeable {
  let connected: Promise<Admin> | undefined;
  const source: LagSource = {
    groupId,
    topics,
    logger,
    admin() {
      if (!connected) {
        const admin = kafka.admin();
        connected = admin.connect().then(() => admin);
        connected.catch(() => (connected = undefined));
      }
      return connected;
    },
  };
  lagSources.add(source);
  return {
    async close() {
      lagSources.delete(source);
      const admin = await connected?.catch(() => undefined);
      await admin?.disconnect();
    },
  };
}

// ---- Outbox -------------------------------------------------------------------------------------

interface BacklogSource {
  collection: string;
  count(): Promise<number>;
}
const backlogSources = new Set<BacklogSource>();

/** Documents whose outbox still holds events the relay has not published (read at each scrape). */
export const outboxBacklog = gauge(
  'woop_outbox_backlog_documents',
  'Documents whose outbox holds events not yet published to Kafka, by collection',
  ['collection'],
  async function collect() {
    this.reset();
    for (const source of backlogSources) {
      try {
        this.inc({ collection: source.collection }, await withTimeout(source.count(), LAG_TIMEOUT_MS));
      } catch {
        // The database is down: no value (the readiness probe says why).
      }
    }
  },
);

/** Counts `collection`'s waiting documents at each scrape until the returned function is called. */
export function watchOutboxBacklog(collection: string, count: () => Promise<number>): () => void {
  const source = { collection, count };
  backlogSources.add(source);
  return () => backlogSources.delete(source);
}
