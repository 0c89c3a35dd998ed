import type { z } from 'zod';
import { commonProblem } from './problem';

/**
 * Parses a request part with a zod schema; a mismatch is a 400 problem with one entry per
 * field (`path` in dotted form) so clients can show each message beside its field.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = 'request body'): z.infer<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  throw commonProblem(
    'validation_failed',
    `The ${what} has ${parsed.error.issues.length === 1 ? 'an invalid field' : 'invalid fields'}.`,
    parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })),
  );
}
