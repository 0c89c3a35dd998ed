import { ProblemError } from '@woop/service-kit';
import { CreateQueue } from './create-queue';

/** A create that ends when the test says so. */
function gate() {
  let open!: () => void;
  let fail!: (err: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { done, open, fail };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('the create queue', () => {
  it('runs at most `concurrency` creates at once, the others in the order they came', async () => {
    const queue = new CreateQueue({ concurrency: 2, queue: 10, waitMs: 60_000 });
    const gates = Array.from({ length: 5 }, gate);
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      queue.run(async () => {
        started.push(i);
        await g.done;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(queue.load).toEqual({ running: 2, waiting: 3 });
    gates[1]!.open();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    // A failed create frees its slot too.
    gates[0]!.fail(new Error('engine down'));
    await expect(runs[0]).rejects.toThrow('engine down');
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const g of gates) g.open();
    expect(await Promise.all(runs.slice(1))).toEqual([1, 2, 3, 4]);
    expect(queue.load).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses at once with 503 and Retry-After when the queue is full, without running it', async () => {
    const queue = new CreateQueue({ concurrency: 1, queue: 1, waitMs: 60_000 });
    const first = gate();
    const running = queue.run(() => first.done);
    const waiting = queue.run(async () => 'second');
    let ran = false;
    const refused = await queue
      .run(async () => {
        ran = true;
      })
      .catch((err: unknown) => err);
    expect(ran).toBe(false);
    expect(refused).toBeInstanceOf(ProblemError);
    expect(refused).toMatchObject({ status: 503, code: 'service_unavailable', headers: { 'Retry-After': '2' } });
    first.open();
    await running;
    expect(await waiting).toBe('second');
  });

  it('refuses a create not admitted within the longest wait, and forgets it', async () => {
    jest.useFakeTimers();
    try {
      const queue = new CreateQueue({ concurrency: 1, queue: 5, waitMs: 1_000 });
      const first = gate();
      const running = queue.run(() => first.done);
      let ran = false;
      const late = queue
        .run(async () => {
          ran = true;
        })
        .catch((err: unknown) => err);
      jest.advanceTimersByTime(999);
      expect(queue.load.waiting).toBe(1);
      jest.advanceTimersByTime(1);
      expect(await late).toMatchObject({ status: 503, code: 'service_unavailable' });
      expect(queue.load).toEqual({ running: 1, waiting: 0 });
      first.open();
      await running;
      expect(ran).toBe(false);
      expect(queue.load).toEqual({ running: 0, waiting: 0 });
    } finally {
      jest.useRealTimers();
    }
  });
});
