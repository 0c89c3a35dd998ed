import { metricsRegistry } from '@woop/service-kit';
import { countedAction } from './action-metrics';
import { TicketActionRefusedError } from './ticket-client';

const value = async (labels: string) =>
  Number(
    (await metricsRegistry.getSingleMetricAsString('woop_ticket_actions_total'))
      .split('\n')
      .find((l) => l.startsWith(`woop_ticket_actions_total{${labels}} `))
      ?.split(' ')[1],
  );

describe('ticket action counter', () => {
  it('has every action and outcome at 0 from the start', async () => {
    expect(await value('action="reopen",outcome="failed"')).toBe(0);
  });

  it('tells a refusal from a failure', async () => {
    const refusal = new TicketActionRefusedError({
      code: 'role_not_allowed',
      message: 'no',
      status: 'open',
      action: 'resolve',
      allowed: [],
    } as never);
    await expect(countedAction('resolve', () => Promise.reject(refusal))).rejects.toBe(refusal);
    await expect(countedAction('resolve', () => Promise.reject(new Error('14 UNAVAILABLE')))).rejects.toThrow();
    await expect(countedAction('resolve', async () => 'ok')).resolves.toBe('ok');
    expect(await value('action="resolve",outcome="refused"')).toBe(1);
    expect(await value('action="resolve",outcome="failed"')).toBe(1);
    expect(await value('action="resolve",outcome="accepted"')).toBe(1);
  });
});
