import { z } from 'zod';
import type { FieldDefinition, RequestTypeDefinition } from './catalogue';
import { nonBlank, trimmed } from './tickets/actions';

/** A missing value says "required" rather than zod's "expected string, received undefined". */
const missing = { error: (issue: { input?: unknown }) => (issue.input === undefined ? 'required' : undefined) };

function fieldSchema(field: FieldDefinition): z.ZodType {
  let schema: z.ZodType;
  switch (field.type) {
    case 'text':
    case 'textarea':
      schema = nonBlank(field.maxLength ?? 500, missing);
      break;
    case 'email':
      schema = z.email(missing);
      break;
    case 'select':
      schema = z.enum((field.options ?? []).map((o) => o.value) as [string, ...string[]], missing);
      break;
    case 'datetime':
      schema = z.iso.datetime({ offset: true, ...missing });
      break;
    case 'list':
      schema = z
        .array(nonBlank(field.maxLength ?? 100), missing)
        .min(1)
        .max(field.maxItems ?? 50);
      break;
  }
  return field.required ? schema : schema.optional();
}

/**
 * The form of a request type as a zod schema: summary, description and the type's own fields
 * (unknown fields are refused, so a typo does not vanish silently). Left out, `fields` is read
 * as `{}` and checked like it (`prefault`, not `default`: zod returns a default unchecked, so a
 * form without `fields` skipped its required ones).
 */
export function ticketFormSchema(type: RequestTypeDefinition) {
  return z.object({
    summary: nonBlank(255, missing),
    description: trimmed(20_000).default(''),
    fields: z.strictObject(Object.fromEntries(type.fields.map((f) => [f.key, fieldSchema(f)]))).prefault({}),
  });
}
