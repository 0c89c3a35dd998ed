import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCESS_TABLE, accessTableMarkdown } from './access-table';

describe('the README\'s "Who may do what" table', () => {
  it('is the access table the integration test takes cell by cell', () => {
    const readme = readFileSync(join(__dirname, '../../../../README.md'), 'utf8');
    expect(readme).toContain(accessTableMarkdown());
  });

  it('has one row per key', () => {
    const keys = ACCESS_TABLE.map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
