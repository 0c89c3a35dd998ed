import type { EventEnvelope } from '@woop/contracts';
import { metricsRegistry } from '@woop/service-kit';
import { countSla } from './sla-metrics';

const event = (type: string, data: Record<string, unknown>) =>
  ({ id: `e-${type}`, type, data }) as unknown as EventEnvelope;
const value = async (name: string, labels: string) =>
  Number(
    (await metricsRegistry.getSingleMetricAsString(name))
      .split('\n')
      .find((l) => l.startsWith(`${name}{${labels}} `))
      ?.split(' ')[1] ?? 0,
  );

describe('SLA counters', () => {
  it('count warnings and breaches by clock and priority, and nothing else', async () => {
    countSla([
      event('ticket.sla_warning', { clock: 'firstResponse', priority: 'high' }),
      event('ticket.sla_breached', { clock: 'resolution', priority: 'critical' }),
      event('ticket.sla_breached', { clock: 'resolution', priority: 'critical' }),
      event('ticket.commented', { body: 'x' }),
    ]);
    expect(await value('woop_ticket_sla_warnings_total', 'clock="firstResponse",priority="high"')).toBe(1);
    expect(await value('woop_ticket_sla_breaches_total', 'clock="resolution",priority="critical"')).toBe(2);
    expect(await value('woop_ticket_sla_warnings_total', 'clock="resolution",priority="critical"')).toBe(0);
  });
});
