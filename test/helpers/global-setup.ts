import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedDatabase } from '../../src/store/embedded';

/** One embedded database for the whole run, unless MONGODB_URI names a server. */
export default async function globalSetup(): Promise<void> {
  if (process.env.MONGODB_URI) {
    process.env.TEST_MONGODB_URI = process.env.MONGODB_URI;
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wadesk-test-db-'));
  const db = await startEmbeddedDatabase(dir);
  process.env.TEST_MONGODB_URI = db.uri;
  Object.assign(globalThis, { __wadeskTestDb: { stop: db.stop, dir } });
}
