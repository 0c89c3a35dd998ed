import { readFileSync, writeFileSync } from 'node:fs';
import { CONFIGURATION_DOC, configurationDoc, configurationMarkdown, serviceSchemas } from './configuration';

/**
 * docs/configuration.md lists every variable of the zod config schemas, as they are. With
 * WOOP_WRITE_DOCS=1 (`npm run docs`) it writes the file instead of checking it.
 */
describe('docs/configuration.md', () => {
  it('is made from the config schemas (run `npm run docs` after changing one)', async () => {
    const wanted = await configurationDoc();
    if (process.env.WOOP_WRITE_DOCS === '1') writeFileSync(CONFIGURATION_DOC, wanted);
    expect(readFileSync(CONFIGURATION_DOC, 'utf8')).toBe(wanted);
  });

  it("names every variable of every service's schema", async () => {
    const markdown = await configurationMarkdown();
    const schemas = await serviceSchemas();
    expect(schemas.map((s) => s.service)).toEqual(
      expect.arrayContaining(['gateway', 'identity', 'notifications', 'tickets']),
    );
    const missing = schemas.flatMap(({ service, schema }) =>
      Object.keys(schema.shape)
        .filter((name) => !markdown.includes(`| \`${name}\` |`))
        .map((name) => `${service}: ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('shows no secret', async () => {
    const markdown = await configurationMarkdown();
    expect(markdown).not.toMatch(/local-development-secret|`[A-Za-z0-9+/]{43}=`/);
  });
});
