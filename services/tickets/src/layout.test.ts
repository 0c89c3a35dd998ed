import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/**
 * The tickets service's two wings: `api/` (the HTTP program) and `worker/` (the Temporal worker
 * program) share `model/` and never import each other; the model imports neither; no module
 * imports itself back through others. Read from the sources' relative imports (type-only
 * ones too: a circle of types is still a circle to a reader).
 */
const SRC = __dirname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const modules = sources(SRC).filter((f) => !f.endsWith('.test.ts'));
const name = (file: string) => relative(SRC, file).replace(/\.ts$/, '');

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s+'(\.{1,2}\/[^']+)'/g)].map((m) => {
    const target = join(dirname(file), m[1]!);
    return name(existsSync(`${target}.ts`) ? `${target}.ts` : join(target, 'index.ts'));
  });
}

const graph = new Map(modules.map((f) => [name(f), importsOf(f)]));
const wing = (module: string) => module.split('/')[0];

describe('the tickets service layout', () => {
  it('finds the modules it checks', () => {
    expect(graph.get('api/main')).toContain('api/service');
    expect(graph.get('worker/main')).toContain('worker/activities');
  });

  it('keeps the wings apart: api and worker share only the model, which imports neither', () => {
    const crossings = [...graph].flatMap(([from, to]) =>
      to
        .filter(
          (t) =>
            (wing(from) === 'api' && wing(t) === 'worker') ||
            (wing(from) === 'worker' && wing(t) === 'api') ||
            (wing(from) === 'model' && (wing(t) === 'api' || wing(t) === 'worker')),
        )
        .map((t) => `${from} → ${t}`),
    );
    expect(crossings).toEqual([]);
  });

  it('has no import circle', () => {
    const circles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (module: string, path: string[]) => {
      if (state.get(module) === 'done') return;
      if (state.get(module) === 'visiting') {
        circles.push([...path.slice(path.indexOf(module)), module].join(' → '));
        return;
      }
      state.set(module, 'visiting');
      for (const next of graph.get(module) ?? []) visit(next, [...path, module]);
      state.set(module, 'done');
    };
    for (const module of graph.keys()) visit(module, []);
    expect(circles).toEqual([]);
  });
});
