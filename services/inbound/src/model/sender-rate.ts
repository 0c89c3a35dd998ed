const HOUR_MS = 60 * 60 * 1000;

/** Accepted messages per sender over the last hour (one count per message key). */
export class SenderRate {
  private readonly seen = new Map<string, Map<string, number>>();
  constructor(private readonly perHour: number) {}
  over(address: string, key: string, now: number): boolean {
    const keys = this.seen.get(address);
    if (!keys || keys.has(key)) return false;
    for (const [k, at] of keys) if (now - at > HOUR_MS) keys.delete(k);
    return keys.size >= this.perHour;
  }
  record(address: string, key: string, now: number): void {
    const keys = this.seen.get(address) ?? new Map<string, number>();
    keys.set(key, now);
    this.seen.set(address, keys);
    if (this.seen.size > 100_000) {
      for (const [a, ks] of this.seen) if ([...ks.values()].every((at) => now - at > HOUR_MS)) this.seen.delete(a);
    }
  }
}
