import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The bench is a workspace of its own (tools/bench): no production workspace holds or imports
 * any of it, the production image copies none of it, and it measures the code it imports rather
 * than copies of it (the list query, the visibility filter, a ticket's start and its search
 * attributes are the tickets service's: `@woop/tickets/queries`, `@woop/tickets/ticket-client`).
 */
const ROOT = join(__dirname, '..', '..', '..');
const BENCH = join(ROOT, 'tools', 'bench');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.name === 'node_modules' || e.name === 'dist'
      ? []
      : e.isDirectory()
        ? files(join(dir, e.name))
        : [join(dir, e.name)],
  );
}

const benchSources = files(join(BENCH, 'src')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

describe('the bench, a workspace of its own', () => {
  it('finds its sources', () => {
    expect(benchSources.map((f) => relative(BENCH, f))).toContain('src/main.ts');
  });

  it('is in no production workspace, and none imports it', () => {
    const production = ['packages', 'services'].flatMap((d) =>
      readdirSync(join(ROOT, d)).map((w) => join(ROOT, d, w, 'src')),
    );
    production.push(join(ROOT, 'workflows', 'src'));
    const offenders = production
      .filter((dir) => existsSync(dir))
      .flatMap(files)
      .filter(
        (f) =>
          /(^|\/)bench(\/|$)/.test(relative(ROOT, f)) ||
          /from '[^']*(@woop\/bench|tools\/bench)/.test(readFileSync(f, 'utf8')),
      )
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it('is copied by no COPY of the Dockerfile', () => {
    const copies = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
      .split('\n')
      .filter((l) => /^COPY\s/.test(l) && !/--from=/.test(l))
      .flatMap((l) => l.trim().split(/\s+/).slice(1, -1));
    // The bench's files, wherever they are (it once lived in services/tickets/src/bench).
    const benchFiles = [
      ...files(BENCH),
      ...['packages', 'services', 'workflows'].flatMap((d) => files(join(ROOT, d))).filter((f) => /\/bench\//.test(f)),
    ].map((f) => relative(ROOT, f));
    const copied = copies.flatMap((src) => {
      const path = join(ROOT, src);
      if (!existsSync(path)) return [];
      const under = statSync(path).isDirectory() ? `${relative(ROOT, path)}/` : relative(ROOT, path);
      return benchFiles.filter((f) => f === under || f.startsWith(under)).map((f) => `${src}: ${f}`);
    });
    expect(copied).toEqual([]);
  });

  it("writes no query condition or search attribute of its own: it imports the services' own", () => {
    const own = benchSources.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${relative(BENCH, f)}:${i + 1}` }))
        .filter(({ line }) => /['"]?\$(or|and|regex|gt|lt)['"]?\s*:|SEARCH_ATTRIBUTES|typedSearchAttributes/.test(line))
        .map(({ at, line }) => `${at} ${line.trim()}`),
    );
    expect(own).toEqual([]);
  });
});
