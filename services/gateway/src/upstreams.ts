import type { ReadinessCheck } from '@woop/service-kit';
import type { GatewayConfig } from './config';

/** The gateway is ready when every service behind it answers its liveness probe. */
export function upstreamReadiness(config: GatewayConfig): ReadinessCheck[] {
  const upstreams = {
    identity: config.IDENTITY_URL,
    tickets: config.TICKETS_URL,
    notifications: config.NOTIFICATIONS_URL,
  };
  return Object.entries(upstreams).map(([name, base]) => ({
    name,
    async check() {
      const res = await fetch(new URL('/healthz', base), { signal: AbortSignal.timeout(config.UPSTREAM_TIMEOUT_MS) });
      if (!res.ok) throw new Error(`${name} answered ${res.status}`);
    },
  }));
}
