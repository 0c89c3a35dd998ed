import { REQUEST_TYPES } from './catalogue';
import { ticketFormSchema } from './ticket-form';

describe('a request form without its fields', () => {
  const bug = REQUEST_TYPES.find((t) => t.key === 'report-a-bug')!;
  const required = bug.fields.filter((f) => f.required).map((f) => ['fields', f.key]);

  it('is refused like an empty one, naming each required field', () => {
    const paths = (input: unknown) =>
      ticketFormSchema(bug)
        .safeParse(input)
        .error?.issues.map((i) => i.path);
    expect(required.length).toBeGreaterThan(0);
    expect(paths({ summary: 'Écran blanc' })).toEqual(required);
    expect(paths({ summary: 'Écran blanc', fields: {} })).toEqual(required);
    expect(paths({ summary: 'Écran blanc', fields: undefined })).toEqual(required);
  });

  it('is accepted, as an empty one, for a type whose fields are all optional', () => {
    const optional = REQUEST_TYPES.find((t) => t.fields.every((f) => !f.required));
    if (!optional) return;
    expect(ticketFormSchema(optional).parse({ summary: 'Une question' })).toMatchObject({ fields: {} });
  });
});
