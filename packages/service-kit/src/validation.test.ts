import { z } from 'zod';
import { ProblemError } from './problem';
import { nulPath, parseInput } from './validation';

describe('parseInput', () => {
  const schema = z.object({ name: z.string(), tags: z.array(z.string()).optional() });

  it('refuses a NUL character anywhere with a 400 naming where (PostgreSQL would answer a 500)', () => {
    for (const [input, path] of [
      [{ name: 'a\u0000b' }, 'name'],
      [{ name: 'ok', tags: ['x', 'y\u0000'] }, 'tags.1'],
      [{ name: 'ok', ['k\u0000']: 1 }, 'k\\0'],
    ] as const) {
      let thrown: unknown;
      try {
        parseInput(schema, input);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(ProblemError);
      expect(thrown).toMatchObject({ status: 400, code: 'validation_failed', errors: [{ path }] });
    }
  });

  it('lets every other text through to the schema', () => {
    expect(parseInput(schema, { name: 'Élodie 🚚 \u0001' })).toEqual({ name: 'Élodie 🚚 \u0001' });
    expect(nulPath({ a: [{ b: 'c' }] })).toBeUndefined();
  });
});
