import type { z } from 'zod';
import { commonProblem } from './problem';

/**
 * Parses a request part with a zod schema; a mismatch is a 400 problem with one entry per
 * field (`path` in dotted form) so clients can show each message beside its field.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = 'request body'): z.infer<S> {
  const nul = nulPath(input);
  if (nul !== undefined) {
    throw commonProblem('validation_failed', `The ${what} has an invalid field.`, [
      { path: nul || '(root)', message: 'NUL characters (U+0000) are not allowed' },
    ]);
  }
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  throw commonProblem(
    'validation_failed',
    `The ${what} has ${parsed.error.issues.length === 1 ? 'an invalid field' : 'invalid fields'}.`,
    parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })),
  );
}

/**
 * Where a NUL character (U+0000) hides in a request part, keys included, if anywhere. No text of
 * the portal has one, and PostgreSQL (FerretDB's storage) refuses it in any stored or queried
 * string: found by Schemathesis as a 500 on the PostgreSQL backend, it is a 400 here instead.
 */
export function nulPath(value: unknown, path: string[] = [], depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path.join('.') : undefined;
  if (depth > 32 || value === null || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000')) return [...path, key.replaceAll('\u0000', '\\0')].join('.');
    const found = nulPath(item, [...path, key], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
