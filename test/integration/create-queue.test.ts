import { REQUEST_TYPES } from '@woop/contracts';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';
import { validFields } from '../support/forms';
import { claire } from '../support/people';

const type = REQUEST_TYPES.find((t) => t.key === 'ask-a-question')!;
const body = (i: number) => ({
  requestType: type.key,
  portal: 'retailer',
  summary: `Question ${i}`,
  description: 'Détails',
  fields: validFields(type),
});

/** What the tickets service answered to `n` creates sent at once (each with its own key). */
async function burst(api: TicketsApi, n: number, prefix: string) {
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      api.call(claire, 'POST', '/tickets', body(i), { 'idempotency-key': `create-queue-${prefix}-${i}` }),
    ),
  );
}

const referencesOf = async (api: TicketsApi) => {
  const page = await api.call(claire, 'GET', '/tickets?status=all&limit=100');
  return (page.body.items as Array<{ reference: string }>).map((t) => t.reference).sort();
};

describe('the create queue, on Temporal, FerretDB and Kafka', () => {
  describe('with one create at a time and two waiting', () => {
    let api: TicketsApi;
    beforeAll(async () => {
      api = await startTicketsApi({
        temporalTimeoutMs: 20_000,
        env: { TICKETS_CREATE_CONCURRENCY: '1', TICKETS_CREATE_QUEUE: '2', TICKETS_CREATE_WAIT_MS: '30000' },
      });
    });
    afterAll(() => api.stop());

    it('refuses what does not fit with 503 and Retry-After, having filed nothing for it', async () => {
      const answers = await burst(api, 8, 'full');
      const created = answers.filter((a) => a.status === 201);
      const refused = answers.filter((a) => a.status !== 201);
      // One runs, two wait: at least three are filed, and some of eight sent at once are refused.
      expect(created.length).toBeGreaterThanOrEqual(3);
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) {
        expect([r.status, r.body.code, r.headers.get('retry-after')]).toEqual([503, 'service_unavailable', '2']);
      }
      // Exactly the ones answered 201 exist: a refusal left no request behind.
      const filed = created.map((a) => (a.body.ticket as { reference: string }).reference).sort();
      expect(await referencesOf(api)).toEqual(filed);

      // A refused create retried with its key is filed once.
      const retried = answers.findIndex((a) => a.status === 503);
      const again = await api.call(claire, 'POST', '/tickets', body(retried), {
        'idempotency-key': `create-queue-full-${retried}`,
      });
      expect(again.status).toBe(201);
      expect((await referencesOf(api)).length).toBe(filed.length + 1);
    });
  });

  describe('with room to wait', () => {
    let api: TicketsApi;
    beforeAll(async () => {
      api = await startTicketsApi({
        temporalTimeoutMs: 20_000,
        env: { TICKETS_CREATE_CONCURRENCY: '2', TICKETS_CREATE_QUEUE: '100', TICKETS_CREATE_WAIT_MS: '60000' },
      });
    });
    afterAll(() => api.stop());

    it('files every one of a burst larger than it runs at once, each once', async () => {
      const answers = await burst(api, 12, 'room');
      expect(answers.map((a) => a.status)).toEqual(Array(12).fill(201));
      const filed = answers.map((a) => (a.body.ticket as { reference: string }).reference).sort();
      expect(new Set(filed).size).toBe(12);
      expect(await referencesOf(api)).toEqual(filed);
    });
  });
});
