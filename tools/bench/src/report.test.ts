import { CallError } from './http';
import { chart, table, type Row } from './report';
import { percentiles, runLoad } from './stats';

describe('the bench figures', () => {
  it('takes percentiles by nearest rank', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 1..100, unsorted
    expect(percentiles(samples)).toEqual({ n: 100, p50: 50, p90: 90, p99: 99, max: 100 });
    expect(percentiles([7])).toMatchObject({ p50: 7, p99: 7 });
    expect(percentiles([]).p50).toBeNaN();
  });

  it('counts failed operations by kind and never as samples', async () => {
    let inFlight = 0;
    let most = 0;
    const r = await runLoad(20, 4, async (i) => {
      most = Math.max(most, ++inFlight);
      await new Promise((ok) => setTimeout(ok, 2));
      inFlight--;
      if (i % 5 === 0) throw new CallError('503', 'down');
    });
    expect(most).toBe(4);
    expect(r).toMatchObject({ ok: 16, errors: 4, errorKinds: { '503': 4 }, n: 16, concurrency: 4 });
    expect(r.perSecond).toBeGreaterThan(0);
  });

  const rows: Row[] = [
    {
      section: 'create',
      name: 'file a request',
      measured: { n: 10, p50: 400, p90: 900, p99: 1200, max: 1300, perSecond: 5 },
      baselineName: 'bare start',
      baseline: { n: 10, p50: 100, p90: 150, p99: 200, max: 210, perSecond: 20 },
      ratio: 0.25,
      target: 'rate ≥ 0.5 × bare',
      met: false,
    },
    {
      section: 'open tickets',
      name: 'worker RSS (MiB)',
      unit: 'MiB',
      measured: { n: 1, p50: 300, p90: 300, p99: 300, max: 300 },
    },
  ];

  it('prints each figure beside its baseline, with its ratio and whether the target is met', () => {
    const text = table(rows);
    expect(text).toMatch(/— create\n/);
    expect(text).toMatch(/file a request\s+10\s+400\s+900\s+1200\s+5\.0\s+0\.25\s+rate ≥ 0\.5 × bare\s+NOT MET/);
    expect(text).toMatch(/ {2}vs bare start\s+10\s+100\s+150\s+200\s+20/);
  });

  it('charts the latencies only, the system and its baseline, the missed target in red', () => {
    const svg = chart(rows, 'test');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('400 / 900 / 1200');
    expect(svg).toContain('100 / 150 / 200');
    expect(svg).not.toContain('300 / 300 / 300');
    expect(svg).toMatch(/fill="#b00020">create: file a request/);
  });
});
