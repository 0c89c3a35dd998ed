import { createLogger } from '../logger';
import { readEvent, tombstoneKey } from './kafka';

describe('a tombstone on the users topic (null value, at erasure)', () => {
  const logger = createLogger('test', 'silent');

  it('is no event, and is not logged as an unreadable one', () => {
    const errors: unknown[] = [];
    const watched = { ...logger, error: (...args: unknown[]) => void errors.push(args) } as typeof logger;
    expect(readEvent({ value: null, offset: '7' }, watched)).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it("names the erased user by its key; an address key's tombstone, or a record with a value, names nobody", () => {
    expect(tombstoneKey({ key: Buffer.from('u-42'), value: null })).toBe('u-42');
    expect(tombstoneKey({ key: Buffer.from('address:abc'), value: null })).toBeUndefined();
    expect(tombstoneKey({ key: Buffer.from('u-42'), value: Buffer.from('{}') })).toBeUndefined();
    expect(tombstoneKey({ key: null, value: null })).toBeUndefined();
  });
});
