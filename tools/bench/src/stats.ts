import { performance } from 'node:perf_hooks';

/** Latency percentiles of a set of samples, in milliseconds (nearest rank). */
export interface Percentiles {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { n: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}

/** What a load of `n` operations at a given concurrency gave: latencies, rate, errors by kind. */
export interface LoadResult extends Percentiles {
  concurrency: number;
  ok: number;
  errors: number;
  errorKinds: Record<string, number>;
  seconds: number;
  /** Successful operations per second of wall time. */
  perSecond: number;
}

/** The kind of a failed operation, for the error counts ("429", "503", "timeout", …). */
export const errorKind = (err: unknown): string =>
  err instanceof Error ? ((err as Error & { kind?: string }).kind ?? err.name) : String(err);

/**
 * Runs `op(i)` for i in 0..n-1 with `concurrency` in flight, timing each. A failed operation
 * counts as an error (by kind) and its time is not a sample: a fast refusal is not a fast answer.
 */
export async function runLoad(
  n: number,
  concurrency: number,
  op: (i: number) => Promise<unknown>,
): Promise<LoadResult> {
  const samples: number[] = [];
  const errorKinds: Record<string, number> = {};
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      for (let i = next++; i < n; i = next++) {
        const start = performance.now();
        try {
          await op(i);
          samples.push(performance.now() - start);
        } catch (err) {
          const kind = errorKind(err);
          errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return {
    ...percentiles(samples),
    concurrency,
    ok: samples.length,
    errors: n - samples.length,
    errorKinds,
    seconds,
    perSecond: samples.length / seconds,
  };
}

/**
 * Times `op` sequentially: `runs` times at most, stopping early once `budgetMs` is spent (at
 * least `minRuns`), after `warmup` untimed runs. For read queries, one at a time.
 */
export async function timeSequential(
  op: () => Promise<unknown>,
  opts: { runs: number; budgetMs: number; minRuns?: number; warmup?: number },
): Promise<Percentiles & { errors: number; errorKinds: Record<string, number> }> {
  const errorKinds: Record<string, number> = {};
  let errors = 0;
  const attempt = async (): Promise<number | undefined> => {
    const start = performance.now();
    try {
      await op();
      return performance.now() - start;
    } catch (err) {
      errors++;
      errorKinds[errorKind(err)] = (errorKinds[errorKind(err)] ?? 0) + 1;
      return undefined;
    }
  };
  for (let i = 0; i < (opts.warmup ?? 2); i++) await attempt();
  errors = 0;
  for (const k of Object.keys(errorKinds)) delete errorKinds[k];
  const samples: number[] = [];
  const t0 = performance.now();
  for (let tries = 0; tries < opts.runs; tries++) {
    const ms = await attempt();
    if (ms !== undefined) samples.push(ms);
    if (tries + 1 >= (opts.minRuns ?? 5) && performance.now() - t0 > opts.budgetMs) break;
  }
  return { ...percentiles(samples), errors, errorKinds };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `op` on every item with `concurrency` in flight (no timing): bulk starts, terminations. */
export async function forEachConcurrent<T>(
  items: T[],
  concurrency: number,
  op: (item: T, i: number) => Promise<unknown>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) await op(items[i]!, i);
    }),
  );
}
