import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCESS_TABLE, accessTableMarkdown } from './access-table';

describe('the "Who may do what" table of docs/tickets-api.md', () => {
  it('is the access table the integration test takes cell by cell', () => {
    const doc = readFileSync(join(__dirname, '../../../../docs/tickets-api.md'), 'utf8');
    expect(doc).toContain(accessTableMarkdown());
  });

  it('has one row per key', () => {
    const keys = ACCESS_TABLE.map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
