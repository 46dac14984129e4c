import fs from 'node:fs';
import path from 'node:path';

/**
 * Slack listeners reach data only through src/accounts/team.ts, which scopes
 * every lookup by the request's workspace. This keeps the unscoped by-id
 * lookups of the store out of src/bot, so a new listener cannot forget.
 */

const BOT = path.join(__dirname, '../../src/bot');
const UNSCOPED = new Set([
  'findAccount',
  'findAccountRecent',
  'findTemplateById',
  'loadDraft',
  'findConversation',
  'findConversationByThread',
  'findConversationByCustomer',
]);

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sources(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every value (not type) imported from the store, as `file: name`. */
function storeImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g)) {
    const [, typeOnly, names = '', from = ''] = m;
    if (typeOnly || !/\/store(\/|$)/.test(from)) continue;
    for (const raw of names.split(',')) {
      const name = raw.trim().replace(/\s+as\s+\w+$/, '');
      if (name && !name.startsWith('type ')) found.push(`${path.relative(BOT, file)}: ${name}`);
    }
  }
  return found;
}

it('no Slack listener or view imports an unscoped lookup or a model from the store', () => {
  const offending = sources(BOT)
    .flatMap(storeImports)
    .filter((entry) => {
      const name = entry.split(': ')[1] ?? '';
      return UNSCOPED.has(name) || name.endsWith('Model');
    });
  expect(offending).toEqual([]);
});

it('sees the store imports it checks', () => {
  // Guards the scan itself: src/bot no longer imports the store (see layering.test.ts), so scan the scoped lookups.
  const team = path.join(__dirname, '../../src/accounts/team.ts');
  expect(storeImports(team)).toEqual(expect.arrayContaining([expect.stringMatching(/: findAccount$/), expect.stringMatching(/: listAccounts$/)]));
});
