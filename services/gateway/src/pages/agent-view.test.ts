import { zipkinTraceSearch } from './agent-view';

describe("the agent's link to a ticket's traces", () => {
  it("opens Zipkin's search on the ticket.reference tag, from the ticket's creation on", () => {
    const now = Date.parse('2026-11-30T10:00:00Z');
    const url = new URL(zipkinTraceSearch('http://127.0.0.1:9411/', 'SUPPORT-12', '2026-11-28T09:00:00Z', now));
    expect(`${url.origin}${url.pathname}`).toBe('http://127.0.0.1:9411/zipkin/');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      annotationQuery: 'ticket.reference=SUPPORT-12',
      lookback: 'range',
      startTs: String(Date.parse('2026-11-28T08:59:00Z')),
      endTs: String(now + 86_400_000),
      limit: '50',
    });
  });
});
