import { counter } from '@woop/service-kit';
import { problem } from './problems';

/**
 * Creates waiting for the engine, counted by how they left the queue: `admitted` (ran, at once or
 * after a wait), `full` (refused: the queue held its maximum), `waited` (refused: not admitted
 * within the longest wait).
 */
export const createQueueOutcomes = counter(
  'woop_ticket_create_queue_total',
  'Creates through the create queue, by outcome',
  ['outcome'],
);
for (const outcome of ['admitted', 'full', 'waited']) createQueueOutcomes.inc({ outcome }, 0);

export interface CreateQueueLimits {
  /** Creates running against Temporal at once (TICKETS_CREATE_CONCURRENCY). */
  concurrency: number;
  /** Creates waiting beyond those; one more is refused at once (TICKETS_CREATE_QUEUE). */
  queue: number;
  /** The longest a create waits for its turn before it is refused (TICKETS_CREATE_WAIT_MS). */
  waitMs: number;
}

/**
 * A bounded first-come, first-served queue in front of the creates of one tickets process.
 *
 * Thirty-two creates at once against the engine all slow down together (an update-with-start
 * each, the worker's tasks and the projection's writes shared by all), and the slowest pass the
 * 4 s Temporal deadline: the bench saw 225 of 1,000 refused with 503 at concurrency 32. Run a few
 * at a time, each is quick, and the others wait their turn in order: the same throughput (the
 * engine bounds it), no failures. Only a queue already full, or a wait past `waitMs`, answers 503
 * with Retry-After; nothing is written before a create is admitted.
 */
export class CreateQueue {
  private running = 0;
  private readonly waiting: Array<{ admit: () => void }> = [];

  constructor(private readonly limits: CreateQueueLimits) {}

  /** How many creates run and wait now. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Runs `create` when its turn comes (at once if a slot is free), then frees its slot. */
  async run<T>(create: () => Promise<T>): Promise<T> {
    await this.admission();
    try {
      return await create();
    } finally {
      this.release();
    }
  }

  private admission(): Promise<void> {
    if (this.running < this.limits.concurrency && this.waiting.length === 0) {
      this.running++;
      createQueueOutcomes.inc({ outcome: 'admitted' });
      return Promise.resolve();
    }
    if (this.waiting.length >= this.limits.queue) {
      createQueueOutcomes.inc({ outcome: 'full' });
      return Promise.reject(busy('Too many requests are being filed right now'));
    }
    return new Promise<void>((resolve, reject) => {
      const entry = {
        admit: () => {
          clearTimeout(timer);
          this.running++;
          createQueueOutcomes.inc({ outcome: 'admitted' });
          resolve();
        },
      };
      const timer = setTimeout(() => {
        const at = this.waiting.indexOf(entry);
        if (at >= 0) this.waiting.splice(at, 1);
        createQueueOutcomes.inc({ outcome: 'waited' });
        reject(busy('This request waited too long for its turn'));
      }, this.limits.waitMs);
      this.waiting.push(entry);
    });
  }

  private release(): void {
    this.running--;
    // The next in line takes the slot; none is taken out of order.
    while (this.running < this.limits.concurrency && this.waiting.length > 0) this.waiting.shift()!.admit();
  }
}

const busy = (why: string) =>
  problem('service_unavailable', `${why}; nothing was filed. Try again in a few seconds.`, undefined, {
    'Retry-After': '2',
  });
