import type { Model } from 'mongoose';
import type { EventPublisher } from './clients/event-publisher';
import { createLogger } from './logger';
import { startOutboxRelay } from './outbox';

describe('the outbox relay', () => {
  it("never runs a writer's update while it removes relayed events (FerretDB updates read, modify, write)", async () => {
    let inside = 0;
    let overlaps = 0;
    const runs: string[] = [];
    const update = (who: string) => async () => {
      inside++;
      if (inside > 1) overlaps++;
      await new Promise((r) => setTimeout(r, 10));
      runs.push(who);
      inside--;
    };
    const docs = ['a', 'b', 'c'].map((id) => ({ _id: id, outbox: [{ topic: 't', event: { id } }] }));
    const model = {
      collection: {
        find: () => ({ limit: () => ({ toArray: async () => docs }) }),
        updateOne: update('relay'),
      },
    } as unknown as Model<never>;
    const publisher = { publish: async () => undefined } as unknown as EventPublisher;
    const relay = startOutboxRelay({ models: [model], publisher, logger: createLogger('test', 'silent') });
    await Promise.all([relay.relayOnce(), relay.write(update('writer 1')), relay.write(update('writer 2'))]);
    await relay.close();
    expect(overlaps).toBe(0);
    expect(runs.filter((r) => r === 'relay')).toHaveLength(3);
    expect(runs).toEqual(expect.arrayContaining(['writer 1', 'writer 2']));
  });

  it('lets the next write run after one that failed', async () => {
    const relay = startOutboxRelay({
      models: [],
      publisher: {} as EventPublisher,
      logger: createLogger('test', 'silent'),
    });
    await expect(relay.write(() => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    await expect(relay.write(async () => 'done')).resolves.toBe('done');
    await relay.close();
  });

  it('publishes a tombstone entry as a null value for its key, in order with the events around it', async () => {
    const sent: string[] = [];
    const event = (id: string) => ({ id, subject: 'u1' }) as never;
    const doc = {
      _id: 'u1',
      outbox: [
        { topic: 'users', event: event('erased') },
        { topic: 'users', event: event('erased'), tombstone: 'u1' },
        { topic: 'users', event: event('erased'), tombstone: 'address:x' },
        { topic: 'users', event: event('later') },
      ],
    };
    const model = {
      collection: {
        find: () => ({ limit: () => ({ toArray: async () => (sent.length === 0 ? [doc] : []) }) }),
        updateOne: async () => undefined,
      },
    } as unknown as Model<never>;
    const publisher: EventPublisher = {
      publish: async (topic, events) => void sent.push(`${topic}: ${events.map((e) => e.id).join(',')}`),
      publishTombstones: async (topic, keys) => void sent.push(`${topic}: tombstones ${keys.join(',')}`),
      close: async () => undefined,
    };
    const relay = startOutboxRelay({ models: [model], publisher, logger: createLogger('test', 'silent') });
    await relay.relayOnce();
    await relay.close();
    expect(sent).toEqual(['users: erased', 'users: tombstones u1,address:x', 'users: later']);
  });
});
