import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mongo } from 'mongoose';
import { startEmbeddedDatabase } from '../../src/store/embedded';

const MiB = 1 << 20;

/**
 * Writes about 8 MiB while a reader holds an open cursor (as the service's reads do under
 * steady load), so SQLite cannot checkpoint and the write-ahead log grows; then lets the log
 * start over, and returns the size its file is left at.
 */
async function walSizeAfterHeldLog(options: { walLimitBytes?: number }): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wadesk-wal-'));
  const db = await startEmbeddedDatabase(dir, options);
  const client = await mongo.MongoClient.connect(db.uri);
  try {
    const docs = client.db('wal').collection<{ n: number; filler?: string }>('docs');
    await docs.insertMany(Array.from({ length: 100 }, (_, n) => ({ n: -n - 1 })));
    const reader = docs.find({}).batchSize(10);
    await reader.next();
    const filler = 'x'.repeat(100_000);
    for (let n = 0; n < 80; n++) await docs.insertOne({ n, filler });
    const walFile = path.join(dir, 'wal.sqlite-wal');
    const held = fs.statSync(walFile).size;
    expect(held).toBeGreaterThan(7 * MiB);
    await reader.close();
    // The first write checkpoints the whole log (no reader holds it now), the next starts it over.
    for (let n = 0; n < 3; n++) await docs.insertOne({ n: 1000 + n });
    return fs.statSync(walFile).size;
  } finally {
    await client.close();
    await db.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('the embedded database', () => {
  it('cuts its write-ahead log back to the limit once the log starts over', async () => {
    expect(await walSizeAfterHeldLog({ walLimitBytes: 256 * 1024 })).toBeLessThanOrEqual(256 * 1024);
  }, 60_000);

  it('would otherwise keep the log at the size it grew to (why the limit is set)', async () => {
    expect(await walSizeAfterHeldLog({ walLimitBytes: -1 })).toBeGreaterThan(7 * MiB);
  }, 60_000);
});
