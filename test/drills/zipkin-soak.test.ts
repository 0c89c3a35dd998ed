import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/processes';
import { startPrivateStack, type PrivateStack } from './stack';
import { answeredRequest, tokenFor } from './workload';

/**
 * Issue 23, finding 9: the local trace viewer (Zipkin, spans in memory) died of OutOfMemoryError
 * 12 minutes after `npm start`, under a walk of the guide and ~2,500 fuzzing requests. This soak
 * runs the private stack with every service exporting its spans to the private Zipkin (started
 * by deploy/local/zipkin.sh, so with the settings `npm start` uses), sends real traffic through
 * the gateway for SOAK_MINUTES (4 by default, 30 for the full soak) and measures the spans it
 * makes per request; meanwhile it replays those very spans (new trace ids) straight to Zipkin's
 * collector until it has received at least three times the incident's spans and twice its span
 * cap, so the cap is reached and the oldest traces are dropped. Then the viewer must still run,
 * answer its API, and `zipkin.sh status` must say so. ZIPKIN_HEAP and ZIPKIN_MAX_SPANS try other
 * settings (256m and 100000 were the old ones).
 */
const CUSTOMER = 'claire@enseigne.example';
const AGENT = 'paul@woop.example';
const SOAK_MS = Number(process.env.SOAK_MINUTES ?? 4) * 60_000;
/** The incident: a walk of the guide (about 150 requests) and ~2,500 fuzzing requests, in 12 minutes. */
const INCIDENT_REQUESTS = 2_650;
const INCIDENT_MINUTES = 12;
const CLIENTS = 2;

const say = (line: string) => process.stderr.write(`[zipkin-soak] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The span cap zipkin.sh gives Zipkin: ZIPKIN_MAX_SPANS, or the script's default. */
function spanCap(): number {
  if (process.env.ZIPKIN_MAX_SPANS) return Number(process.env.ZIPKIN_MAX_SPANS);
  const script = readFileSync(join(ROOT, 'deploy/local/zipkin.sh'), 'utf8');
  return Number(/MEM_MAX_SPANS="\$\{ZIPKIN_MAX_SPANS:-(\d+)\}"/.exec(script)![1]);
}

interface Metrics {
  spans: number;
  dropped: number;
  heapUsed: number;
  heapMax: number;
}

async function metricsOf(zipkin: string): Promise<Metrics> {
  const text = await (await fetch(`${zipkin}/prometheus`, { signal: AbortSignal.timeout(10_000) })).text();
  const sum = (pattern: RegExp) =>
    text
      .split('\n')
      .filter((l) => pattern.test(l))
      .reduce((total, l) => total + Math.max(0, Number(l.split(' ').pop())), 0);
  return {
    spans: sum(/^zipkin_collector_spans_total\{/),
    dropped: sum(/^zipkin_collector_spans_dropped_total\{/),
    heapUsed: sum(/^jvm_memory_used_bytes\{area="heap"/),
    heapMax: sum(/^jvm_memory_max_bytes\{area="heap"/),
  };
}

interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  timestamp?: number;
  [k: string]: unknown;
}

/** Copies of the recorded traces under new trace ids, timed now (so the oldest are the real ones). */
function replayBatch(traces: ZipkinSpan[][], size: number): ZipkinSpan[] {
  const batch: ZipkinSpan[] = [];
  const now = Date.now() * 1000;
  while (batch.length < size) {
    const trace = traces[Math.floor(Math.random() * traces.length)]!;
    const traceId = randomBytes(16).toString('hex');
    const start = Math.min(...trace.map((s) => s.timestamp ?? now));
    for (const span of trace) batch.push({ ...span, traceId, timestamp: now + ((span.timestamp ?? start) - start) });
  }
  return batch;
}

const MB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

describe('trace viewer soak: Zipkin lives through more spans than the incident', () => {
  let stack: PrivateStack;
  const pidOf = () => Number(readFileSync(join(stack.dataDir, 'run', 'zipkin.pid'), 'utf8'));
  const alive = () => {
    try {
      process.kill(pidOf(), 0);
      return true;
    } catch {
      return false;
    }
  };

  beforeAll(async () => {
    const serverEnv: Record<string, string> = {};
    for (const name of ['ZIPKIN_HEAP', 'ZIPKIN_MAX_SPANS']) if (process.env[name]) serverEnv[name] = process.env[name]!;
    stack = await startPrivateStack(say, {
      env: { OTEL_TRACES_EXPORTER: 'zipkin', LOG_LEVEL: 'error' },
      serverEnv,
    });
  }, 600_000);

  afterAll(async () => {
    if (process.env.DRILL_KEEP !== '1') await stack?.down();
  }, 120_000);

  it('answers its API after SOAK_MINUTES of traffic and spans past its cap', async () => {
    const cap = spanCap();
    const started = Date.now();
    const deadline = started + SOAK_MS;
    const [customer, agent] = [await tokenFor(stack.gateway, CUSTOMER), await tokenFor(stack.gateway, AGENT)];

    // Spans made with nothing asked (consumers, relays, the worker's polls), per minute.
    const idleFrom = await metricsOf(stack.zipkin);
    await sleep(15_000);
    const idle = await metricsOf(stack.zipkin);
    const idlePerMinute = ((idle.spans - idleFrom.spans) * 60_000) / 15_000;

    // Real traffic, for the whole soak: requests filed, answered, read; pages; refusals.
    let requests = 0;
    let failures = 0;
    const get = async (path: string, token?: string) => {
      requests++;
      const res = await fetch(`${stack.gateway}${path}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        signal: AbortSignal.timeout(15_000),
      }).catch(() => undefined);
      if (!res || res.status >= 500) failures++;
      await res?.arrayBuffer();
    };
    const client = async () => {
      while (Date.now() < deadline) {
        try {
          const { reference } = await answeredRequest(stack.gateway, customer, agent);
          requests += 4;
          await get(`/api/v1/tickets/${reference}`, customer);
          await get('/api/v1/tickets?limit=20', agent);
          await get('/login');
          await get('/api/v1/tickets/SUPPORT-0'); // anonymous: 401
        } catch (err) {
          failures++;
          say(`traffic: ${String(err).slice(0, 200)}`);
          await sleep(1_000);
        }
      }
    };
    const traffic = Promise.all(Array.from({ length: CLIENTS }, client));

    // A minute of it: spans per request, then the target.
    await sleep(Math.min(60_000, SOAK_MS / 4));
    const calibrated = await metricsOf(stack.zipkin);
    const elapsedMinutes = (Date.now() - started) / 60_000;
    const spansPerRequest = Math.max(
      1,
      (calibrated.spans - idle.spans - idlePerMinute * (elapsedMinutes - 0.25)) / Math.max(1, requests),
    );
    const incident = Math.round(spansPerRequest * INCIDENT_REQUESTS + idlePerMinute * INCIDENT_MINUTES);
    const least = Math.max(3 * incident, 2 * cap);
    const target = Math.round(least * Math.max(1, SOAK_MS / (4 * 60_000)));
    say(
      `idle ${idlePerMinute.toFixed(0)} spans/min; ${requests} requests made ${calibrated.spans - idle.spans} spans ` +
        `(${spansPerRequest.toFixed(1)} per request); the incident ≈ ${incident} spans; sending ${target} (cap ${cap})`,
    );

    // The recorded traces, replayed straight to the collector, spread over the rest of the soak.
    const recorded = (await (
      await fetch(`${stack.zipkin}/api/v2/traces?limit=300&lookback=3600000`, { signal: AbortSignal.timeout(30_000) })
    ).json()) as ZipkinSpan[][];
    expect(recorded.length).toBeGreaterThan(0);
    let sent = 0;
    let peakHeap = 0;
    let heapMax = 0;
    let died = false;
    const sendFrom = Date.now();
    const replayer = async () => {
      while (sent < target && Date.now() < deadline && !died) {
        // Paced to end at 80 % of the soak: the last part is real traffic alone, on a full store.
        const due = (target * (Date.now() - sendFrom)) / Math.max(1, 0.8 * (deadline - sendFrom));
        if (sent > due) {
          await sleep(200);
          continue;
        }
        const batch = replayBatch(recorded, 500);
        const res = await fetch(`${stack.zipkin}/api/v2/spans`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(batch),
          signal: AbortSignal.timeout(30_000),
        }).catch(() => undefined);
        if (res?.ok) sent += batch.length;
        else await sleep(500);
      }
    };
    const watcher = async () => {
      while (Date.now() < deadline && !died) {
        if (!alive()) {
          died = true;
          break;
        }
        const m = await metricsOf(stack.zipkin).catch(() => undefined);
        if (m) {
          peakHeap = Math.max(peakHeap, m.heapUsed);
          heapMax = m.heapMax;
        }
        await sleep(5_000);
      }
    };
    await Promise.all([replayer(), replayer(), watcher()]);
    await traffic;

    const end = await metricsOf(stack.zipkin).catch(() => undefined);
    const services = await fetch(`${stack.zipkin}/zipkin/api/v2/services`, { signal: AbortSignal.timeout(10_000) })
      .then(async (r) => ({ status: r.status, body: (await r.json()) as string[] }))
      .catch((err: unknown) => ({ status: 0, body: [String(err)] }));
    let status: string;
    try {
      status = execFileSync('bash', [join(ROOT, 'deploy/local/zipkin.sh'), 'status'], {
        env: stack.scriptEnv,
        encoding: 'utf8',
      });
    } catch (err) {
      status = `exit ${(err as { status?: number }).status}: ${(err as { stdout?: string }).stdout ?? ''}`;
    }
    const log = readFileSync(join(stack.dataDir, 'logs', 'zipkin.log'), 'utf8');
    const report = {
      minutes: (Date.now() - started) / 60_000,
      cap,
      requests,
      failures,
      spansPerRequest,
      idleSpansPerMinute: idlePerMinute,
      incidentSpans: incident,
      target,
      replayed: sent,
      received: end?.spans,
      dropped: end?.dropped,
      heapPeak: MB(peakHeap),
      heapEnd: end ? MB(end.heapUsed) : 'no answer',
      heapMax: MB(heapMax),
      alive: alive(),
      services,
      status: status.trim(),
      outOfMemory: /OutOfMemoryError/.test(log),
    };
    say(JSON.stringify(report));
    const dir = join(process.env.WOOP_DATA_DIR ?? join(ROOT, '.data'), 'drills');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'zipkin-soak.json'), JSON.stringify(report, null, 2));

    expect({ alive: report.alive, outOfMemory: report.outOfMemory }).toEqual({ alive: true, outOfMemory: false });
    expect(services.status).toBe(200);
    expect(services.body).toEqual(expect.arrayContaining(['gateway', 'identity', 'tickets']));
    expect(report.status).toMatch(/^zipkin: running/);
    // It took at least three times the incident's spans, and twice its cap.
    expect(report.received).toBeGreaterThanOrEqual(least);
    expect(failures).toBeLessThan(Math.max(5, requests / 100));
  }, 3_600_000);
});
