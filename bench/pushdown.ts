/**
 * Secondary-key reads and writes on the embedded database, with and without the overlay's
 * pushdown of equalities (tools/ferretdb-patches/3-pushdown.patch):
 *
 *   npx tsx bench/pushdown.ts [embedded-db binary ...]
 *
 * For each binary (default bin/embedded-db; give an older build to compare), it stores
 * BENCH_PUSHDOWN_DOCS conversation-like documents (default 100,000) in a fresh database and
 * times findOne by {accountId, waId} (a unique compound index), updateOne by the same key,
 * deleteMany by {owner} (an index; 10 documents each), findOne by {phone} (no index) and,
 * for reference, findOne by _id. Then, as the outbox does with as many items waiting, it reads the
 * first 500 pending items by seq, and the first 500 outside 300 lanes (6-first-by.patch). Last, writes at
 * once (7-one-writer.patch): a one-document insert while four others insert 100 documents each
 * without pause, as a webhook's journal append beside ingest, and 200 single-document updates at once.
 * Each operation runs until BENCH_PUSHDOWN_MS (default 3,000 ms) or 200 times; figures are ms per operation.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { mongo } from 'mongoose';
import { EMBEDDED_DB_BINARY, startEmbeddedDatabase } from '../src/store/embedded';

const DOCS = Number(process.env.BENCH_PUSHDOWN_DOCS) || 100_000;
const BUDGET_MS = Number(process.env.BENCH_PUSHDOWN_MS) || 3_000;
const MAX_RUNS = 200;
const ACCOUNTS = 10;
const PER_OWNER = 10;

const accountIds = Array.from({ length: ACCOUNTS }, () => new mongo.ObjectId());
const waId = (n: number) => `62812${String(n).padStart(8, '0')}`;
const doc = (n: number) => ({
  _id: new mongo.ObjectId(),
  accountId: accountIds[n % ACCOUNTS],
  waId: waId(n),
  phone: `+${waId(n)}`,
  owner: `owner-${Math.floor(n / PER_OWNER)}`,
  profileName: `Pelanggan ${n}`,
  channelId: 'C0123456789',
  threadTs: `1700000000.${String(n).padStart(6, '0')}`,
  status: 'open',
  lastInboundPreview: 'Selamat pagi, apakah pesanan saya sudah dikirim? Terima kasih 🙏'.repeat(3),
  lastInboundAt: new Date(1_700_000_000_000 + n * 1000),
  windowClosesAt: new Date(1_700_086_400_000 + n * 1000),
  createdAt: new Date(1_700_000_000_000),
  updatedAt: new Date(1_700_000_000_000),
});

/** An item the outbox stores for an inbound message's post, in one of 300 lanes (conversations). */
const outboxItem = (n: number) => ({
  _id: `slack-post:${n}`,
  lane: `conversation:${n % 300}`,
  seq: 1_765_000_000_000_000 + n,
  kind: 'conversation.post',
  payload: { conversationId: String(n % 300), messageId: String(n), text: `Pelanggan ${n}: ` + 'Selamat pagi, apakah pesanan saya sudah dikirim? '.repeat(4) },
  state: 'pending',
  attempts: 0,
  nextAttemptAt: new Date(1_765_000_000_000),
  maybeDone: false,
  createdAt: new Date(1_765_000_000_000),
  updatedAt: new Date(1_765_000_000_000),
});

async function time(label: string, op: (i: number) => Promise<unknown>) {
  const ms: number[] = [];
  const start = performance.now();
  for (let i = 0; ms.length < MAX_RUNS && performance.now() - start < BUDGET_MS; i++) {
    const t = performance.now();
    await op(i);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => (ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? NaN).toFixed(2);
  console.log(`  ${label.padEnd(38)} p50 ${at(0.5).padStart(8)} ms   p90 ${at(0.9).padStart(8)} ms   p99 ${at(0.99).padStart(8)} ms   (${ms.length} runs)`);
}

async function bench(binary: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wadesk-pushdown-bench-'));
  const server = await startEmbeddedDatabase(dir, { binary });
  const client = await mongo.MongoClient.connect(server.uri);
  try {
    const coll = client.db('bench').collection('conversations');
    await coll.createIndex({ accountId: 1, waId: 1 }, { unique: true });
    await coll.createIndex({ owner: 1 });
    const ids: mongo.ObjectId[] = [];
    for (let n = 0; n < DOCS; n += 1000) {
      const batch = Array.from({ length: Math.min(1000, DOCS - n) }, (_, i) => doc(n + i));
      ids.push(...batch.map((d) => d._id));
      await coll.insertMany(batch);
    }
    console.log(`${binary}: ${DOCS} documents`);
    // A spread of keys, each used once, so no run reads what another just read.
    const pick = (i: number) => ((i * 7_919) % DOCS);
    await time('findOne({accountId, waId})', (i) => coll.findOne({ accountId: accountIds[pick(i) % ACCOUNTS], waId: waId(pick(i)) }));
    await time('updateOne({accountId, waId}, $set)', (i) =>
      coll.updateOne({ accountId: accountIds[pick(i + 1_000) % ACCOUNTS], waId: waId(pick(i + 1_000)) }, { $set: { status: 'pending' } }),
    );
    await time('deleteMany({owner}) (10 docs)', (i) => coll.deleteMany({ owner: `owner-${(i * 13) % (DOCS / PER_OWNER)}` }));
    await time('findOne({phone}) (no index)', (i) => coll.findOne({ phone: `+${waId(pick(i + 2_000))}` }));
    await time('findOne({_id})', (i) => coll.findOne({ _id: ids[pick(i + 3_000)] }));

    const outbox = client.db('bench').collection<ReturnType<typeof outboxItem>>('outbox');
    await outbox.createIndex({ state: 1, seq: 1 });
    for (let n = 0; n < DOCS; n += 1000) await outbox.insertMany(Array.from({ length: Math.min(1000, DOCS - n) }, (_, i) => outboxItem(n + i)));
    const lanes = Array.from({ length: 300 }, (_, n) => `conversation:${n}`);
    const firstPending = { projection: { lane: 1, seq: 1, attempts: 1, nextAttemptAt: 1 }, sort: { seq: 1 }, limit: 500 } as const;
    await time('find({state}).sort({seq}).limit(500)', () => outbox.find({ state: 'pending' }, firstPending).toArray());
    await time('…and {lane: {$nin: [300 lanes]}}', () => outbox.find({ state: 'pending', lane: { $nin: lanes } }, firstPending).toArray());

    const journal = client.db('bench').collection('journal');
    let writing = true;
    let next = DOCS;
    const writers = Array.from({ length: 4 }, async () => {
      while (writing) await coll.insertMany(Array.from({ length: 100 }, () => doc(next++)));
    });
    await time('insertOne beside 4 × insertMany(100)', (i) => journal.insertOne({ i, body: 'x'.repeat(1_000) }));
    writing = false;
    await Promise.all(writers);
    await time('200 × updateOne({_id}) at once', (i) =>
      Promise.all(Array.from({ length: 200 }, (_, n) => coll.updateOne({ _id: ids[pick(i * 200 + n)] }, { $set: { status: `s${i}` } }))),
    );
  } finally {
    await client.close();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const binaries = process.argv.slice(2);
  for (const binary of binaries.length ? binaries : [EMBEDDED_DB_BINARY]) await bench(path.resolve(binary));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
