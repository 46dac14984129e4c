/**
 * `npm run rotate-key`: seals the stored WhatsApp secrets again under a new encryption key. Run
 * it with wadesk stopped, and with the configuration wadesk runs with (.env or the environment).
 * - With ENCRYPTION_KEY: give the new key as NEW_ENCRYPTION_KEY; afterwards set ENCRYPTION_KEY to it.
 * - With the generated key in DATA_DIR: a new one is generated into encryption.key.next and
 *   replaces encryption.key once every secret is sealed with it.
 * Interrupted, it is run again with the same keys and finishes.
 */
import 'dotenv/config';
import fs from 'node:fs';
import { ConfigError, decodeKey, loadConfig } from './config';
import { rotateKey } from './security/key-check';
import { KeyError, keyFilePath, keyFromFile, readKeyFile, writeNewKey } from './security/secrets';
import { openDatabase } from './store/database';
import './store/models';

async function main(): Promise<string> {
  const config = loadConfig(process.env);
  const given = process.env.NEW_ENCRYPTION_KEY;
  const next = given ? decodeKey(given) : undefined;
  if (given && !next) throw new KeyError('NEW_ENCRYPTION_KEY must be 32 bytes as base64 or hex (generate one: openssl rand -base64 32)');
  if (config.encryptionKey && !next) {
    throw new KeyError('ENCRYPTION_KEY holds the key in use; set NEW_ENCRYPTION_KEY to the new one (generate one: openssl rand -base64 32)');
  }
  if (!config.encryptionKey && next) throw new KeyError('NEW_ENCRYPTION_KEY goes with ENCRYPTION_KEY; the key in DATA_DIR is replaced by a generated one');

  const database = await openDatabase({ uri: config.mongodbUri, dataDir: config.dataDir });
  try {
    if (config.encryptionKey && next) {
      const done = await rotateKey(config.encryptionKey, next);
      return `${describe(done)} Now set ENCRYPTION_KEY to the new key (NEW_ENCRYPTION_KEY), unset NEW_ENCRYPTION_KEY and start wadesk.`;
    }
    const file = keyFilePath(config.dataDir);
    const current = keyFromFile(config.dataDir, { mayCreate: false });
    // The new key is kept on disk before any secret is sealed with it, so an interruption loses nothing.
    const nextFile = `${file}.next`;
    writeNewKey(nextFile);
    const done = await rotateKey(current, readKeyFile(nextFile));
    fs.renameSync(nextFile, file);
    return `${describe(done)} ${file} holds the new key; start wadesk.`;
  } finally {
    await database.close();
  }
}

function describe(done: { resealed: number; alreadyDone: boolean }): string {
  return done.alreadyDone ? 'The secrets were already sealed with the new key.' : `Sealed the secrets of ${done.resealed} account(s) with the new key.`;
}

main().then(
  (summary) => {
    process.stdout.write(summary + '\n');
    process.exit(0);
  },
  (err: unknown) => {
    process.stderr.write(`key rotation failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof ConfigError || err instanceof KeyError ? 78 : 1);
  },
);
