import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/**
 * Every service has one shape (issue 24, item 4), read from its sources' relative imports
 * (type-only ones too: a circle of types is still a circle to a reader):
 *
 * - `src/` holds at its root only the program's start and wiring: `main.ts`, `service.ts`,
 *   `config.ts`, `instrument.ts`, `seed.ts` (and their tests); the rest is in folders.
 * - The wings, one per kind of input (`api/` for HTTP, `consumers/` for Kafka, `worker/` for
 *   Temporal, the gateway's `pages/`), share `model/` and never import each other; the model
 *   imports no wing, and of the root only `config.ts`. Nothing imports a `main.ts`.
 * - No module imports itself back through others.
 * - No source file (tests aside) is over 300 lines, but those listed below, each with its reason.
 */
const MAX_LINES = 300;

interface ServiceLayout {
  service: string;
  /** The folders of its programs, beside `model/`. */
  wings: string[];
  /** Modules (path under src/, without `.ts`) allowed over MAX_LINES, each with its reason. */
  longFiles?: Record<string, string>;
  /** Folders that are neither a wing nor the model, each with its reason; nothing else imports them. */
  otherFolders?: Record<string, string>;
}

const SERVICES: ServiceLayout[] = [
  { service: 'identity', wings: ['api'] },
  { service: 'tickets', wings: ['api', 'worker'] },
  // Its one input is the support mailbox (IMAP), a wing of its own.
  { service: 'inbound', wings: ['mailbox'] },
  // Its Kafka consumers plan and send the emails (`consumers/emails/`, `consumers/mail/`); the API
  // serves the delivery log and the preferences. The retry command is a program of the consumers.
  { service: 'notifications', wings: ['api', 'consumers'] },
  // After its reshaping (issue 24, item 4):
  // { service: 'gateway', wings: ['api', 'pages'] },
];

const ROOT_FILES = ['main', 'service', 'config', 'instrument', 'seed'];

/** A service's modules (path under src/ without `.ts`), each with its line count and what it imports. */
function readService(service: string) {
  const src = join(__dirname, '../../services', service, 'src');
  const files = (function walk(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
    );
  })(src);
  const name = (file: string) => relative(src, file).replace(/\.ts$/, '');
  const modules = files
    .filter((f) => !f.endsWith('.test.ts'))
    .map((file) => {
      const text = readFileSync(file, 'utf8');
      const imports = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => {
        const target = join(dirname(file), m[1]!);
        return name(existsSync(`${target}.ts`) ? `${target}.ts` : join(target, 'index.ts'));
      });
      return { name: name(file), lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0), imports };
    });
  return {
    modules,
    graph: new Map(modules.map((m) => [m.name, m.imports])),
    tests: files.filter((f) => f.endsWith('.test.ts')).map(name),
  };
}

const folderOf = (module: string) => (module.includes('/') ? module.split('/')[0]! : '');

describe.each(SERVICES)('the $service service layout', (layout) => {
  const { modules, graph, tests } = readService(layout.service);
  const others = Object.keys(layout.otherFolders ?? {});
  const isWing = (folder: string) => layout.wings.includes(folder);

  it('reads every module it imports: a main, the model, each wing', () => {
    const unresolved = modules.flatMap((m) =>
      m.imports.filter((t) => !t.startsWith('..') && !graph.has(t)).map((t) => `${m.name} → ${t}`),
    );
    expect(unresolved).toEqual([]);
    const folders = new Set(modules.map((m) => folderOf(m.name)));
    expect([...layout.wings, 'model'].filter((f) => !folders.has(f))).toEqual([]);
    // One program starts at the root, or each wing is its own program.
    expect(graph.has('main') || layout.wings.every((w) => graph.has(`${w}/main`))).toBe(true);
  });

  it('keeps its root to the start and wiring, and everything else in a wing, the model or a listed folder', () => {
    const misplaced = modules
      .map((m) => m.name)
      .filter((m) => {
        const folder = folderOf(m);
        if (folder === '') return !ROOT_FILES.includes(m);
        return !isWing(folder) && folder !== 'model' && !others.includes(folder);
      });
    expect(misplaced).toEqual([]);
    expect(tests.filter((t) => folderOf(t) === '' && !ROOT_FILES.includes(t.replace(/\.test$/, '')))).toEqual([]);
  });

  it('keeps the wings apart: they share only the model, which imports none of them', () => {
    const crossings = modules.flatMap(({ name: from, imports }) =>
      imports
        .filter((to) => {
          const [a, b] = [folderOf(from), folderOf(to)];
          if (to === 'main' || to.endsWith('/main')) return true; // an entry point, imported
          if (others.includes(b)) return a !== b;
          if (isWing(a) && isWing(b)) return a !== b;
          if (a === 'model') return isWing(b) || (b === '' && to !== 'config');
          return false;
        })
        .map((to) => `${from} → ${to}`),
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

  it(`has no source file over ${MAX_LINES} lines but those listed, and lists none that is not`, () => {
    const long = modules.filter((m) => m.lines > MAX_LINES);
    expect(long.filter((m) => !layout.longFiles?.[m.name]).map((m) => `${m.name}.ts: ${m.lines} lines`)).toEqual([]);
    // A listed file split (or gone) leaves the list: it must not excuse the next one to grow.
    const stale = Object.keys(layout.longFiles ?? {}).filter((f) => !long.some((m) => m.name === f));
    expect(stale).toEqual([]);
  });
});
