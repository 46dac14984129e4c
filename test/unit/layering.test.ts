import fs from 'node:fs';
import path from 'node:path';

/**
 * Listeners only translate Slack to the features and back: they reach storage through a feature's
 * service (src/accounts, src/templates, src/inbox, …), never src/store, types included. Background
 * jobs and the window digest go through repository functions, never a model.
 */

const SRC = path.join(__dirname, '../../src');
const LISTENERS = path.join(SRC, 'bot/listeners');

/** Files allowed to break the rule, each with its reason. None today. */
const EXCEPTIONS: Record<string, string> = {};

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sources(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every module a source imports or re-exports (static or dynamic), resolved against src/. */
function importsOf(file: string, text = fs.readFileSync(file, 'utf8')): string[] {
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)'([^']+)'/g)].map((m) => m[1] ?? '');
  return specifiers.filter((s) => s.startsWith('.')).map((s) => path.relative(SRC, path.resolve(path.dirname(file), s)));
}

const fromStore = (target: string) => target === 'store' || target.startsWith(`store${path.sep}`);

it('no Slack listener imports from src/store: they go through their feature service', () => {
  const offending = sources(LISTENERS)
    .filter((file) => !(path.relative(SRC, file) in EXCEPTIONS))
    .flatMap((file) => importsOf(file).filter(fromStore).map((target) => `${path.relative(SRC, file)} → ${target}`));
  expect(offending).toEqual([]);
});

it('jobs and the window digest query no model directly', () => {
  const files = [...sources(path.join(SRC, 'jobs')), path.join(SRC, 'window/digest.ts')];
  const offending = files.flatMap((file) =>
    importsOf(file)
      .filter((target) => target === path.join('store', 'models') || target.startsWith(path.join('store', 'models') + path.sep))
      .map((target) => `${path.relative(SRC, file)} → ${target}`),
  );
  expect(offending).toEqual([]);
});

/** Feature services that own a collection outright, not through a repository module: why, for each. */
const OWN_COLLECTION: Record<string, string> = {
  'outbox/index.ts': 'the durable outbox is the storage of its items: leases, turns and settling are its whole job',
};

it('feature services query no model directly: storage sits behind src/store', () => {
  const files = sources(SRC).filter((file) => !file.startsWith(path.join(SRC, 'store') + path.sep) && !(path.relative(SRC, file) in OWN_COLLECTION));
  const offending = files.flatMap((file) => {
    const uses = fs.readFileSync(file, 'utf8').match(/\b[A-Z]\w*Model\.\w+/g) ?? [];
    return uses.map((use) => `${path.relative(SRC, file)}: ${use}`);
  });
  expect(offending).toEqual([]);
  expect(Object.keys(OWN_COLLECTION).every((f) => fs.existsSync(path.join(SRC, f)))).toBe(true);
});

it('sees the imports it checks', () => {
  // Guards the scan itself: every form of import is found and resolved.
  const file = path.join(LISTENERS, 'x/y.ts');
  const text = [
    "import { a } from '../../../store/accounts';",
    "import type { B } from '../../../store/models';",
    "export { c } from '../../../store';",
    "const d = await import('../../../store/queues');",
    "import '../../../store/side-effect';",
    "import { e } from '../../../templates';",
  ].join('\n');
  expect(importsOf(file, text).filter(fromStore)).toEqual(['store/accounts', 'store/models', 'store', 'store/queues', 'store/side-effect'].map((p) => p.split('/').join(path.sep)));
  expect(Object.keys(EXCEPTIONS).every((f) => fs.existsSync(path.join(SRC, f)))).toBe(true);
});
