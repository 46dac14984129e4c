import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoMemoryReplSet } from 'mongodb-memory-server';
import { startEmbeddedDatabase } from '../../src/store/embedded';

export interface TestDatabase {
  stop(): Promise<void>;
}

/**
 * One database server for the whole run: the server MONGODB_URI names; with
 * WADESK_TEST_DB=mongodb (`npm run test:mongodb`) a MongoDB replica set; else the embedded database.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.MONGODB_URI) {
    process.env.TEST_MONGODB_URI = process.env.MONGODB_URI;
    return;
  }
  const db = process.env.WADESK_TEST_DB === 'mongodb' ? await startReplicaSet() : await startEmbedded();
  Object.assign(globalThis, { __wadeskTestDb: db });
}

async function startEmbedded(): Promise<TestDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wadesk-test-db-'));
  const db = await startEmbeddedDatabase(dir);
  process.env.TEST_MONGODB_URI = db.uri;
  return {
    async stop() {
      await db.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startReplicaSet(): Promise<TestDatabase> {
  if (!process.env.MONGOMS_SYSTEM_BINARY) {
    const found = execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'mongod.mjs')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    for (const line of found.split('\n')) {
      const [name, value] = line.split(/=(.*)/s);
      if (name?.startsWith('MONGOMS_') && value) process.env[name] = value;
    }
  }
  // One member: a replica set (as production's Atlas is) at the cost of one process on our two cores.
  const replSet = await MongoMemoryReplSet.create({
    replSet: { count: 1, storageEngine: 'wiredTiger', args: ['--wiredTigerCacheSizeGB', '0.5'] },
  });
  process.env.TEST_MONGODB_URI = replSet.getUri();
  return { stop: () => replSet.stop().then(() => undefined) };
}
