/** One server a service depends on, checked by GET /readyz. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, 'up' | 'down'>;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs every check in parallel, each bounded by `timeoutMs`. The report says only up/down per
 * server; the reasons go to the log (they can hold internal addresses).
 */
export async function checkReadiness(
  checks: readonly ReadinessCheck[],
  timeoutMs: number,
  onFailure: (name: string, error: unknown) => void = () => {},
): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async (c) => {
      try {
        await withTimeout(c.check(), timeoutMs, c.name);
        return [c.name, 'up'] as const;
      } catch (error) {
        onFailure(c.name, error);
        return [c.name, 'down'] as const;
      }
    }),
  );
  return { ready: results.every(([, s]) => s === 'up'), checks: Object.fromEntries(results) };
}
