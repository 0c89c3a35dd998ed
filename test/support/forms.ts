import type { RequestTypeDefinition } from '@woop/contracts';

/** A valid value for every field of a request type: a complete form to start from in tests. */
export function validFields(type: RequestTypeDefinition): Record<string, unknown> {
  return Object.fromEntries(
    type.fields.map((f) => [
      f.key,
      f.type === 'email'
        ? 'someone@enseigne.example'
        : f.type === 'select'
          ? f.options?.[0]?.value
          : f.type === 'datetime'
            ? '2026-11-27T10:30:00+01:00'
            : f.type === 'list'
              ? ['CMD-1', 'CMD-2']
              : 'une valeur',
    ]),
  );
}
