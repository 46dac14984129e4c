import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mongo, Types } from 'mongoose';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/store/embedded';

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

// On a database of its own, as the suite's may be a MongoDB server: the overlay's explain output is FerretDB's.
describe('the embedded database, filtering on _id alone', () => {
  let dir: string;
  let server: EmbeddedDatabase;
  let client: mongo.MongoClient;
  let db: mongo.Db;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wadesk-by-id-'));
    server = await startEmbeddedDatabase(dir);
    client = await mongo.MongoClient.connect(server.uri);
    db = client.db('by_id');
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** What the server reports of a find: whether SQLite was given the filter, and how it planned the read. */
  async function explain(collection: string, filter: mongo.Document) {
    const res = await db.command({ explain: { find: collection, filter } });
    const plan = (res.queryPlanner as { Plan?: string[] } | undefined)?.Plan ?? [];
    return { pushedDown: res.filterPushdown === true, plan: plan.join('\n') };
  }

  it('reads a batch of _ids (strings and ObjectIds) by the index, and matches exactly them', async () => {
    const docs = db.collection<{ _id: string | Types.ObjectId; n: number }>('by-id');
    const oid = new Types.ObjectId();
    await docs.insertMany([{ _id: 'a', n: 1 }, { _id: 'b', n: 2 }, { _id: 'c', n: 3 }, { _id: oid, n: 4 }]);

    const filter = { _id: { $in: ['a', 'c', oid, 'missing'] } };
    const { pushedDown, plan } = await explain('by-id', filter);
    expect(pushedDown).toBe(true);
    expect(plan).toMatch(/SEARCH .*USING INDEX/);
    expect((await docs.find(filter).toArray()).map((d) => d.n).sort()).toEqual([1, 3, 4]);

    // An ObjectId's hex as a string is not that ObjectId.
    expect(await docs.countDocuments({ _id: { $in: [oid.toHexString()] } })).toBe(0);

    expect(await docs.deleteMany({ _id: { $in: ['b', oid] } })).toMatchObject({ deletedCount: 2 });
    expect((await docs.find({}).toArray()).map((d) => d.n).sort()).toEqual([1, 3]);
  });

  it('still answers other $in filters, by reading every document', async () => {
    const docs = db.collection<{ _id: string | number; n: number }>('by-id-mixed');
    await docs.insertMany([{ _id: 'a', n: 1 }, { _id: 7, n: 2 }, { _id: 'b', n: 3 }]);

    // A number is stored as SQLite cannot compare it by text: not pushed down, still matched.
    const mixed = { _id: { $in: ['a', 7] } };
    expect((await explain('by-id-mixed', mixed)).pushedDown).toBe(false);
    expect((await docs.find(mixed).toArray()).map((d) => d.n).sort()).toEqual([1, 2]);
    // Neither is a filter with more than _id, nor an empty list.
    expect((await explain('by-id-mixed', { _id: { $in: ['a'] }, n: 1 })).pushedDown).toBe(false);
    expect(await docs.countDocuments({ _id: { $in: [] } })).toBe(0);
    expect((await docs.find({ _id: { $in: ['a', 'b'], $ne: 'b' } }).toArray()).map((d) => d.n)).toEqual([1]);
  });
});
