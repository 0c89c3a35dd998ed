import { REQUEST_TYPES } from './catalogue';
import { ticketFormSchema } from './ticket-form';
import { validFields } from '../../../test/support/forms';

describe('request-type catalogue', () => {
  it('has the ten request types of the guide in four categories, each in both portals', () => {
    expect(REQUEST_TYPES).toHaveLength(10);
    expect(new Set(REQUEST_TYPES.map((r) => r.category)).size).toBe(4);
    expect(new Set(REQUEST_TYPES.map((r) => r.key)).size).toBe(10);
    for (const r of REQUEST_TYPES) expect(r.portals).toEqual(['retailer', 'carrier']);
  });

  it('routes security types to the security team, confidential, and personal data to the DPO', () => {
    const security = REQUEST_TYPES.filter((r) => r.defaultTeam === 'security').map((r) => r.key);
    expect(security).toEqual(['report-a-vulnerability', 'security-assistance']);
    expect(REQUEST_TYPES.filter((r) => r.confidential).map((r) => r.key)).toEqual(security);
    expect(REQUEST_TYPES.find((r) => r.key === 'personal-data-deletion')).toMatchObject({
      defaultTeam: 'dpo',
      slaPolicy: 'personal-data',
    });
  });

  describe.each(REQUEST_TYPES.map((r) => [r.key, r] as const))('%s form', (_key, type) => {
    const schema = ticketFormSchema(type);

    it('accepts a complete form', () => {
      expect(schema.safeParse({ summary: 'Résumé', description: 'Détails', fields: validFields(type) }).success).toBe(
        true,
      );
    });

    it('refuses a missing summary, an unknown field, and each required field left out or malformed', () => {
      expect(schema.safeParse({ summary: '  ', fields: validFields(type) }).success).toBe(false);
      expect(schema.safeParse({ summary: 'ok', fields: { ...validFields(type), surprise: 'x' } }).success).toBe(false);
      for (const f of type.fields.filter((x) => x.required)) {
        const missing = { ...validFields(type) };
        delete missing[f.key];
        const result = schema.safeParse({ summary: 'ok', fields: missing });
        expect(result.success).toBe(false);
        expect(result.error?.issues[0]?.path).toEqual(['fields', f.key]);
        expect(schema.safeParse({ summary: 'ok', fields: { ...validFields(type), [f.key]: 42 } }).success).toBe(false);
      }
    });
  });
});
