import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose, { mongo, Types } from 'mongoose';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/store/embedded';

const MiB = 1 << 20;

/** SQLite's plan of a read, as FerretDB's explain reports it: one line a step. */
function sqlitePlan(explained: mongo.Document): string {
  return ((explained.queryPlanner as { Plan?: string[] } | undefined)?.Plan ?? []).map((line) => line.replace(/^.*detail=/, '')).join('\n');
}

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

/**
 * A server of the suite's own in a fresh folder, started before its tests and stopped after them,
 * and a client of it: the suite's database may be a MongoDB server, and these read FerretDB's answers.
 */
function ownEmbeddedServer(folderPrefix: string): () => mongo.MongoClient {
  let dir: string | undefined;
  let server: EmbeddedDatabase | undefined;
  let client: mongo.MongoClient | undefined;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), folderPrefix));
    server = await startEmbeddedDatabase(dir);
    client = await mongo.MongoClient.connect(server.uri);
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (!client) throw new Error('the embedded server has not started');
    return client;
  };
}

describe('the embedded database', () => {
  it('cuts its write-ahead log back to the limit once the log starts over', async () => {
    expect(await walSizeAfterHeldLog({ walLimitBytes: 256 * 1024 })).toBeLessThanOrEqual(256 * 1024);
  }, 60_000);

  it('would otherwise keep the log at the size it grew to (why the limit is set)', async () => {
    expect(await walSizeAfterHeldLog({ walLimitBytes: -1 })).toBeGreaterThan(7 * MiB);
  }, 60_000);
});

describe('the embedded database, filtering on _id alone', () => {
  const client = ownEmbeddedServer('wadesk-by-id-');
  let db: mongo.Db;
  beforeAll(() => {
    db = client().db('by_id');
  });

  /** What the server reports of a find: whether SQLite was given the filter, and how it planned the read. */
  async function explain(collection: string, filter: mongo.Document) {
    const res = await db.command({ explain: { find: collection, filter } });
    return { pushedDown: res.filterPushdown === true, plan: sqlitePlan(res) };
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
    // Nor is an empty list. With more than _id, _id alone is pushed down.
    expect((await explain('by-id-mixed', { _id: { $in: ['a'] }, n: 1 })).pushedDown).toBe(true);
    expect((await docs.find({ _id: { $in: ['a', 'b'] }, n: 1 }).toArray()).map((d) => d.n)).toEqual([1]);
    expect(await docs.countDocuments({ _id: { $in: [] } })).toBe(0);
    expect((await docs.find({ _id: { $in: ['a', 'b'], $ne: 'b' } }).toArray()).map((d) => d.n)).toEqual([1]);
  });
});

// The overlay pushes equalities on other paths down to SQLite too, as the index's own expression.
// The handler still matches the whole filter, so a wrong pushdown shows as a missing document:
// each filter's answer is compared with the same filter inside `$and`, which is never pushed down.
describe('the embedded database, pushing equalities down to SQLite', () => {
  const special = [
    `<script>alert("x")</script> & 'q' \\ \\u0041 /`,
    '\u0000\u0001\u001f\u007f\t\n\r',
    'Selamat pagi, Bu Ani! Pesanan #12 sudah dikirim — terima kasih 🙏',
    'emoji 😀👍🏽 👩‍👩‍👧‍👦 🇮🇩',
    'é',
    'e\u0301',
    '\ud800 lone surrogate',
    '\ufffd lone surrogate',
    '\u2028\u2029',
    '',
  ];
  const oid = new Types.ObjectId();
  let dir: string;
  let server: EmbeddedDatabase;
  let conn: mongoose.Connection;
  type Loose = { _id: string } & Record<string, unknown>;
  let Doc: mongoose.Model<Loose>;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wadesk-pushdown-'));
    server = await startEmbeddedDatabase(dir);
    conn = await mongoose.createConnection(server.uri, { dbName: 'pushdown' }).asPromise();
    const schema = new mongoose.Schema<Loose>({ _id: String }, { strict: false, versionKey: false });
    schema.index({ accountId: 1, waId: 1 });
    schema.index({ owner: 1 });
    schema.index({ 'meta.kind': 1 });
    schema.index({ accountId: 1, status: 1, tags: 1 });
    Doc = conn.model<Loose>('Doc', schema, 'docs');
    await Doc.createIndexes();
    const docs: Record<string, unknown>[] = [
      // scalars of each type, and their look-alikes of other types
      { owner: 'a' }, { owner: 'b' }, { owner: '1' }, { owner: 1 }, { owner: 1.0 }, { owner: 'true' }, { owner: true },
      { owner: false }, { owner: oid }, { owner: oid.toHexString() }, { owner: null }, {}, { owner: { a: 'a' } },
      { owner: new Date(0) }, { owner: '1970-01-01T00:00:00.000Z' },
      // arrays, which equality matches by element (FerretDB stores no arrays of arrays)
      { owner: ['a', 'b'] }, { owner: [] }, { owner: [true, oid] }, { owner: [{ a: 'a' }] },
      // dotted paths through documents and arrays
      { meta: { kind: 'k' } }, { meta: { kind: ['k', 'x'] } }, { meta: [{ kind: 'k' }] }, { meta: [{ kind: 'x' }, { kind: 'k' }] },
      { meta: 'k' }, { meta: { kind: { kind: 'k' } } }, { meta: { other: 'k' } },
      // the compound keys, with an array in either place
      { accountId: 'acc', waId: '628111', status: 'open', tags: ['vip', 'new'] },
      { accountId: 'acc', waId: '628222', status: 'open', tags: ['new'] },
      { accountId: 'acc', waId: ['628333', '628111'], status: 'open' },
      { accountId: ['acc', 'other'], waId: '628444', status: 'open', tags: 'vip' },
      { accountId: 'other', waId: '628111', status: 'open', tags: ['vip'] },
      { accountId: oid, waId: '628111', status: 'pending' },
      ...special.flatMap((s, i) => [{ owner: s, meta: { kind: s }, accountId: 'special', waId: s, n: i }, { owner: [s], n: i }]),
      // deeper, with an array at either level
      { deep: [{ sub: { kind: 'k' } }] }, { deep: { sub: [{ kind: 'k' }] } }, { deep: { sub: { kind: 'k' } } }, { deep: { sub: 'k' } },
      { deep: [{ sub: 'k' }] }, { deep: { sub: { kind: ['x', 'k'] } } },
    ];
    await conn.db!.collection<Loose>('docs').insertMany(docs.map((d, i) => ({ ...d, _id: `d${i}` })));
  });
  afterAll(async () => {
    await conn?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** What the server reports of a find: whether SQLite was given the filter, and how it planned the read. */
  async function explain(filter: mongo.Document) {
    const res = await conn.db!.command({ explain: { find: 'docs', filter } });
    return { pushedDown: res.filterPushdown === true, plan: sqlitePlan(res) };
  }

  /** The _ids a filter matches, through find, and the same by the handler alone. */
  async function matches(filter: mongo.Document) {
    const ids = async (f: mongo.Document) => (await Doc.find(f, { _id: 1 }).lean()).map((d) => String(d._id)).sort();
    return { pushed: await ids(filter), handler: await ids({ $and: [filter] }) };
  }

  const values = ['a', 'b', 'k', 'x', '1', 'true', true, false, oid, oid.toHexString(), '1970-01-01T00:00:00.000Z', ...special];
  const filters: mongo.Document[] = [
    ...values.flatMap((v) => [{ owner: v }, { owner: { $eq: v } }, { 'meta.kind': v }, { waId: v, accountId: 'special' }]),
    ...special.map((s) => ({ owner: { $in: [s, 'a'] } })),
    { owner: { $in: [true, oid, 'b'] } },
    { 'deep.sub.kind': 'k' },
    { 'deep.sub.kind': { $in: ['x', 'y'] } },
    { accountId: 'acc', waId: '628111' },
    { waId: '628111', accountId: 'acc' },
    { accountId: 'acc', status: 'open', tags: 'vip' },
    { accountId: 'acc', status: 'open', tags: { $in: ['new', 'old'] } },
    { accountId: { $in: ['acc', 'other'] }, waId: '628111' },
    { accountId: oid, waId: '628111' },
    { accountId: 'acc', waId: '628111', status: 'open', n: { $exists: false } },
  ];

  it('answers each filter as the handler alone does', async () => {
    for (const filter of filters) {
      expect((await explain(filter)).pushedDown).toBe(true);
      const { pushed, handler } = await matches(filter);
      expect({ filter, ids: pushed }).toEqual({ filter, ids: handler });
    }
    // The oracle matches what MongoDB would: by element in arrays, by type otherwise.
    expect((await matches({ owner: 'a' })).pushed).toEqual(['d0', 'd15']);
    expect((await matches({ owner: true })).pushed).toEqual(['d17', 'd6']);
    expect((await matches({ owner: oid })).pushed).toEqual(['d17', 'd8']);
    expect((await matches({ 'meta.kind': 'k' })).pushed).toEqual(['d19', 'd20', 'd21', 'd22']);
    expect((await matches({ 'deep.sub.kind': 'k' })).pushed).toHaveLength(4);
    expect((await matches({ waId: '628111', accountId: 'acc' })).pushed).toEqual(['d26', 'd28']);
    expect((await matches({ accountId: 'acc', status: 'open', tags: 'vip' })).pushed).toEqual(['d26', 'd29']);
    // Each special string finds itself, and what the driver encodes alike (a lone surrogate as U+FFFD).
    for (const s of special) {
      const same = special.flatMap((t, i) => (Buffer.from(t).equals(Buffer.from(s)) ? [i] : []));
      expect((await Doc.find({ waId: s, accountId: 'special' }).sort({ n: 1 }).lean()).map((d) => d.n)).toEqual(same);
    }
  }, 60_000);

  it('updates, counts and deletes what the same filter finds', async () => {
    for (const [i, filter] of filters.entries()) {
      const { handler } = await matches(filter);
      expect(await Doc.countDocuments(filter)).toBe(handler.length);
      const res = await Doc.updateMany(filter, { $set: { seen: i } });
      expect(res.matchedCount).toBe(handler.length);
      expect((await Doc.find({ seen: i }, { _id: 1 }).lean()).map((d) => String(d._id)).sort()).toEqual(handler);
      const one = await Doc.findOneAndUpdate(filter, { $set: { one: i } }, { returnDocument: 'after' }).lean();
      if (one) expect(handler).toContain(String(one._id));
      else expect(handler).toEqual([]);
    }
    const { handler } = await matches({ owner: 'a' });
    expect((await Doc.deleteMany({ owner: 'a' })).deletedCount).toBe(handler.length);
    expect(await Doc.countDocuments({ $and: [{ owner: 'a' }] })).toBe(0);
  }, 60_000);

  it('reads by the index whose expression the filter repeats', async () => {
    const searches = async (filter: mongo.Document) => {
      const { pushedDown, plan } = await explain(filter);
      expect(pushedDown).toBe(true);
      expect(plan).not.toMatch(/SCAN queue/);
      return plan;
    };
    expect(await searches({ accountId: 'acc', waId: '628111' })).toMatch(/USING INDEX \S*accountId_1_waId_1 \(<expr>=\? AND <expr>=\?\)/);
    expect(await searches({ waId: '628111', accountId: 'acc' })).toMatch(/accountId_1_waId_1 \(<expr>=\? AND <expr>=\?\)/);
    expect(await searches({ owner: { $in: ['a', 'b', oid] } })).toMatch(/owner_1 \(<expr>=\?\)/);
    expect(await searches({ owner: { $eq: true } })).toMatch(/owner_1 \(<expr>=\?\)/);
    expect(await searches({ 'meta.kind': 'k' })).toMatch(/meta\.kind_1 \(<expr>=\?\)/);
    expect(await searches({ accountId: 'acc', status: 'open', tags: 'vip' })).toMatch(/accountId_1_status_1_tags_1 \(<expr>=\? AND <expr>=\? AND <expr>=\?\)/);
    // Other conditions beside an indexed equality are left to the handler.
    await searches({ owner: 'a', n: { $gt: 1 }, $or: [{ x: 1 }, { y: 2 }] });
    // With _id, the rest is left to the handler: _id is unique.
    expect(await searches({ _id: 'd1', owner: 'b' })).toMatch(/SEARCH \S+ USING INDEX \S+ \(<expr>=\?\)$/);
  });

  it('does not push down what SQLite cannot compare as stored', async () => {
    for (const filter of [
      { owner: 1 }, // numbers equal numbers of other types
      { owner: new Date(0) },
      { owner: null }, // matches a missing field
      { owner: /a/ },
      { owner: { a: 'a' } },
      { owner: ['a', 'b'] },
      { owner: { $in: ['a', 1] } },
      { owner: { $in: [] } },
      { owner: { $ne: 'a' } },
      { owner: { $eq: 'a', $ne: 'b' } },
      { owner: { $eq: { $in: ['a'] } } }, // a document to compare, not an operator
      { 'meta.0': 'k' }, // an array index
      { 'a-b': 'k' },
      { _ferretdb_sjson: 'k' }, // a column's name
      { $and: [{ owner: 'a' }] },
    ]) {
      expect({ filter, pushedDown: (await explain(filter)).pushedDown }).toEqual({ filter, pushedDown: false });
      const { pushed, handler } = await matches(filter);
      expect(pushed).toEqual(handler);
    }
  });
});

// A sort on one field with a limit (the outbox's read of its first pending items) reads, on the overlay,
// only the first documents by that field among those SQLite finds to match, beside every one it cannot
// judge (tools/ferretdb-patches/6-first-by.patch). Each answer is compared with the same query inside
// `$and`, which the overlay never pushes down: a wrong pushdown shows as a missing or misplaced document.
describe('the embedded database, reading the first documents by a field', () => {
  const oid = new Types.ObjectId();
  const client = ownEmbeddedServer('wadesk-first-by-');
  let queue: mongo.Collection<{ _id: string } & mongo.Document>;
  beforeAll(async () => {
    queue = client().db('first_by').collection<{ _id: string } & mongo.Document>('queue');
    await queue.createIndex({ state: 1, seq: 1 });
    const { Int32, Long, Double, Timestamp, BSONRegExp } = mongo;
    const docs: mongo.Document[] = [
      // numbers of each type, close to where their types part (2^53), and the outbox's own (µs since 1970)
      { state: 'pending', seq: new Int32(5), lane: 'a' },
      { state: 'pending', seq: Long.fromString('7'), lane: 'b' },
      { state: 'pending', seq: new Double(6.5), lane: 'c' },
      { state: 'pending', seq: new Double(-3), lane: 'a' },
      { state: 'pending', seq: new Int32(0), lane: 'b' },
      { state: 'pending', seq: new Double(2 ** 53), lane: 'c' },
      { state: 'pending', seq: Long.fromString('9007199254740993'), lane: 'a' },
      { state: 'pending', seq: 1_765_000_000_000_001, lane: 'b' },
      // what sorts beside numbers without being one: stored as a JSON number (a date, a timestamp) or not
      { state: 'pending', seq: null, lane: 'c' },
      { state: 'pending', seq: 'a string', lane: 'a' },
      { state: 'pending', seq: new Date(0), lane: 'b' },
      { state: 'pending', seq: new Timestamp({ t: 1, i: 1 }), lane: 'c' },
      { state: 'pending', seq: true, lane: 'a' },
      { state: 'pending', seq: [4, 100], lane: 'b' },
      { state: 'pending', seq: { n: 1 }, lane: 'c' },
      { state: 'pending', seq: oid, lane: 'a' },
      // lanes that a $nin of strings must judge by type too: missing, arrays, an ObjectId, a regex, an ObjectId's hex as a string
      { state: 'pending', seq: new Int32(-10) },
      { state: 'pending', seq: new Int32(-11), lane: ['a', 'z'] },
      { state: 'pending', seq: new Int32(-12), lane: ['z'] },
      { state: 'pending', seq: new Int32(-13), lane: oid },
      { state: 'pending', seq: new Int32(-14), lane: new BSONRegExp('a') },
      { state: 'pending', seq: new Int32(-15), lane: oid.toHexString() },
      // states that equal 'pending' by element, look like it (a regex with that pattern), or do not
      { state: ['pending', 'x'], seq: new Int32(1), lane: 'a' },
      { state: ['x'], seq: new Int32(2), lane: 'a' },
      { state: new BSONRegExp('pending'), seq: new Int32(3), lane: 'a' },
      { state: 'done', seq: new Int32(-100), lane: 'a' },
      { seq: new Int32(-101), lane: 'a' },
      { state: oid, seq: new Int32(8), lane: 'a' },
      { state: oid.toHexString(), seq: new Int32(9), lane: 'a' },
      { state: 'held', seq: new Double(1.5), lane: 'b', flag: true },
      { state: 'held', seq: [3.5, -50], lane: 'b', flag: false },
      { state: 'held', lane: 'c', flag: true },
    ];
    // Enough plain ones that every limit cuts, with distinct values (ties may come back in either order).
    for (let n = 0; n < 300; n++) docs.push({ state: n % 3 ? 'pending' : 'held', seq: 1_765_000_000_000_000 - ((n * 7_919) % 1_000_003), lane: `l${n % 40}`, flag: n % 2 === 0 });
    await queue.insertMany(docs.map((d, i) => ({ _id: `q${i}`, ...d })));
  });

  // Null and a missing field sort alike, and the data has no other ties: either may come back first.
  const ids = async (filter: mongo.Document, sort: mongo.Sort, skip: number, limit: number) =>
    (await queue.find(filter, { projection: { _id: 1 } }).sort(sort).skip(skip).limit(limit).toArray()).map((d) =>
      ['q8', 'q31'].includes(String(d._id)) ? 'q8 or q31' : String(d._id),
    );

  async function explained(filter: mongo.Document, sort: mongo.Document, limit: number) {
    const res = await client().db('first_by').command({ explain: { find: 'queue', filter, sort, limit } });
    return { firstBy: res.sortPushdown === true && res.limitPushdown === true, plan: sqlitePlan(res) };
  }

  const pushable: mongo.Document[] = [
    { state: 'pending' },
    { state: { $eq: 'pending' } },
    { state: { $in: ['pending', 'held'] } },
    { state: 'pending', lane: { $nin: ['a', 'b', 'l3'] } },
    { state: 'pending', lane: { $nin: [oid, 'a'] } },
    { state: 'pending', lane: 'a' },
    { lane: { $nin: ['a'] } },
    { state: oid },
    { state: oid.toHexString() },
    { flag: true },
    {},
  ];

  it('answers as the handler alone does, in either order, with a limit and a skip', async () => {
    for (const filter of pushable) {
      for (const sort of [{ seq: 1 }, { seq: -1 }] as const) {
        expect({ filter, sort, firstBy: (await explained(filter, sort, 5)).firstBy }).toEqual({ filter, sort, firstBy: true });
        for (const [skip, limit] of [[0, 1], [0, 5], [3, 5], [0, 40], [0, 1000]] as const) {
          const expected = await ids({ $and: [filter] }, sort, skip, limit);
          expect({ filter, sort, skip, limit, ids: await ids(filter, sort, skip, limit) }).toEqual({ filter, sort, skip, limit, ids: expected });
        }
      }
    }
    // The oracle sorts as MongoDB does: null first, then numbers by value whatever their type, then the rest.
    expect(await ids({ state: 'pending' }, { seq: 1 }, 0, 6)).toEqual(['q8 or q31', 'q21', 'q20', 'q19', 'q18', 'q17']);
    expect(await ids({ state: { $in: ['pending', 'held'] } }, { seq: 1 }, 0, 3)).toEqual(['q8 or q31', 'q8 or q31', 'q30']);
    expect(await ids({ state: 'pending' }, { seq: -1 }, 0, 7)).toEqual(['q11', 'q10', 'q12', 'q15', 'q14', 'q9', 'q6']);
  });

  it('reads each pending item once, by the index on its state, and returns the first 500 by seq', async () => {
    const { plan } = await explained({ state: 'pending' }, { seq: 1 }, 500);
    expect(plan).toMatch(/MATERIALIZE d\n(.*\n)*SEARCH \S+ USING INDEX \S*state_1_seq_1 \(<expr>=\?\)/);
    expect(plan).not.toMatch(/SCAN queue/);
  });

  it('leaves to the handler what it cannot read that way', async () => {
    for (const [filter, sort, limit] of [
      [{ state: 'pending' }, { seq: 1 }, 0], // no limit
      [{ state: 'pending' }, { seq: 1, lane: 1 }, 5],
      [{ state: 'pending' }, { _id: 1 }, 5],
      [{ state: 'pending' }, { 'seq.n': 1 }, 5],
      [{ state: 'pending', seq: { $gt: 0 } }, { seq: 1 }, 5],
      [{ state: 'pending', lane: { $nin: ['a', 1] } }, { seq: 1 }, 5],
      [{ state: 'pending', lane: { $nin: [] } }, { seq: 1 }, 5],
      [{ state: { $ne: 'pending' } }, { seq: 1 }, 5],
      [{ 'lane.x': 'a' }, { seq: 1 }, 5],
      [{ _id: 'q1' }, { seq: 1 }, 5],
      [{ $and: [{ state: 'pending' }] }, { seq: 1 }, 5],
    ] as const) {
      expect({ filter, sort, firstBy: (await explained(filter, sort, limit)).firstBy }).toEqual({ filter, sort, firstBy: false });
      // The same documents (in the handler's order, in which many tie here).
      if (limit > 0) expect((await ids(filter, sort, 0, 1000)).sort()).toEqual((await ids({ $and: [filter] }, sort, 0, 1000)).sort());
    }
  });
});

describe('the embedded database, with many writers at once', () => {
  const client = ownEmbeddedServer('wadesk-writers-');
  let db: mongo.Db;
  beforeAll(() => {
    db = client().db('writers');
  });

  // As a webhook's journal append beside ingest: SQLite alone lets a write that finds its lock held
  // sleep and retry, and a small one could wait out dozens of large ones (7-one-writer.patch).
  it('lets a small write go in its turn beside writers that never pause', async () => {
    const large = db.collection('large');
    const small = db.collection('small');
    await small.insertOne({ first: true });
    let written = 0;
    let writing = true;
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let n = 0; writing; n++) {
        await large.insertMany(Array.from({ length: 100 }, (_, i) => ({ w, n, i, text: 'x'.repeat(500) })));
        written++;
      }
    });
    const overtaken: number[] = [];
    for (let i = 0; i < 40; i++) {
      const before = written;
      await small.insertOne({ i });
      overtaken.push(written - before);
    }
    writing = false;
    await Promise.all(writers);
    // When the small write comes, each writer has at most one write ahead of it; two each allow for the time
    // the small write takes to reach the queue (upstream, 18 to 235 overtook it).
    expect(Math.max(...overtaken)).toBeLessThanOrEqual(8);
    expect(await small.countDocuments({})).toBe(41);
    expect(await large.countDocuments({})).toBe(written * 100);
  }, 60_000);

  // Of different documents: FerretDB v1 reads a document, then writes it whole, outside any turn, so
  // concurrent updates of one document may undo each other (src/store/guard.ts takes those in turn).
  it('applies every one of 200 updates at once, with none refused', async () => {
    const counters = db.collection<{ _id: number; n: number }>('counters');
    await counters.insertMany(Array.from({ length: 200 }, (_, i) => ({ _id: i, n: 0 })));
    for (let round = 1; round <= 3; round++) {
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => counters.updateOne({ _id: i }, { $inc: { n: 1 } })));
      expect(results.every((r) => r.modifiedCount === 1)).toBe(true);
    }
    expect(await counters.countDocuments({ n: 3 })).toBe(200);
  }, 60_000);
});
