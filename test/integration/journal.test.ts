import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { configureWriteGuards } from '../../src/store/database';
import mongoose, { Types } from 'mongoose';
import { systemClock } from '../../src/clock';
import { Journal, JournalFull, type Delivery, type JournalOptions, type JournalParts } from '../../src/journal';
import { createLogger } from '../../src/log';
import { AccountModel, journalEntries, journalHolders, type JournalEntry } from '../../src/store/models';
import { parseCloudWebhook } from '../../src/whatsapp/inbound';
import { cloudTextWebhook, seedCloudAccount, waitFor, wamid } from '../drills/support';
import { restoreDelivery } from '../../src/webhooks/whatsapp';
import { requireTestDbUri, uniqueDbName } from '../helpers/service';

const account = new AccountModel({ kind: 'cloud' });

/** A real delivery: one text message from `from`, as Meta would send it. */
function delivery(from: string, n: number): { delivery: Delivery; body: string } {
  const body = cloudTextWebhook([{ wamid: wamid(`${from}-${n}`), from, body: `${from}:${n}`, timestamp: 1_700_000_000 + n }]);
  const parsed = parseCloudWebhook(JSON.parse(body));
  if (!parsed.ok) throw new Error(parsed.reason);
  return { delivery: { account, events: parsed.events }, body };
}

/** "from:n" of each message of an ingest's deliveries (a customer's waiting deliveries are merged into one). */
function marks(deliveries: readonly Delivery[]): string[] {
  return deliveries.flatMap(({ events }) => events.map((e) => (e.kind === 'message' && e.message.content.type === 'text' ? e.message.content.body : '?')));
}

function journal(parts: Partial<JournalParts> & Pick<JournalParts, 'ingest'>, logLines: string[] = [], options: JournalOptions = {}): Journal {
  const restore: JournalParts['restore'] = async (entry) => {
    const parsed = parseCloudWebhook(JSON.parse(entry.body));
    return parsed.ok ? { account, events: parsed.events } : undefined;
  };
  return new Journal({ clock: systemClock, logger: createLogger('debug', (l) => logLines.push(l)) }, { restore, ...parts }, { concurrency: 4, ...options });
}

/** An entry another instance stored; `heldUntil` is that instance's hold, if it has one. */
async function othersEntry(owner: string, body: string, heldUntil?: Date): Promise<JournalEntry> {
  const entry: JournalEntry = { _id: new Types.ObjectId(), accountId: account._id, body, owner };
  if (heldUntil) await journalHolders().updateOne({ _id: owner }, { $set: { heldUntil } }, { upsert: true });
  await journalEntries().insertMany([entry]);
  return entry;
}

describe('the inbound journal', () => {
  beforeAll(async () => {
    await mongoose.connect(requireTestDbUri(), { dbName: uniqueDbName() });
    await Promise.all([journalEntries().init(), journalHolders().init()]);
    await configureWriteGuards();
  });
  afterAll(() => mongoose.disconnect());
  beforeEach(async () => {
    jest.restoreAllMocks();
    await Promise.all([journalEntries().deleteMany({}), journalHolders().deleteMany({})]);
  });

  it('stores a delivery before accept resolves, and removes it only once ingested', async () => {
    const ingested: string[] = [];
    const j = journal({ ingest: async (d) => ingested.push(...marks(d)) });
    const { delivery: d, body } = delivery('6281100000001', 1);

    await j.accept(d, body);
    const stored = await journalEntries().find({}).lean();
    expect(stored.map((e) => e.body)).toEqual([body]);
    expect(ingested).toEqual([]);

    await j.drain();
    expect(ingested).toEqual(['6281100000001:1']);
    expect(await journalEntries().countDocuments({})).toBe(0);
  });

  it("keeps its entries in a database of their own, beside the main one, so their writes do not queue behind ingest's", async () => {
    const j = journal({ ingest: async () => undefined });
    const { delivery: d, body } = delivery('6281100000002', 1);
    await j.accept(d, body);

    const main = mongoose.connection;
    const beside = main.useDb(`${main.name}_journal`);
    expect(await beside.collection('journalentries').countDocuments({})).toBe(1);
    expect(await main.collection('journalentries').countDocuments({})).toBe(0);
    await j.drain();
  });

  it('shares one insert among deliveries that arrive while another is being written', async () => {
    const inserts = jest.spyOn(journalEntries(), 'insertMany');
    const j = journal({ ingest: async () => undefined });
    await Promise.all(Array.from({ length: 50 }, (_, n) => delivery(`62811000000${n % 5}`, n)).map((x) => j.accept(x.delivery, x.body)));
    expect(await journalEntries().countDocuments({})).toBe(50);
    // The first goes alone; the 49 that came meanwhile go together.
    expect(inserts).toHaveBeenCalledTimes(2);
    await j.drain();
  });

  it("ingests many customers' deliveries in one call, each customer's merged in arrival order, and gathers what arrives meanwhile for the next", async () => {
    const calls: string[][][] = [];
    let release: () => void = () => {};
    const first = new Promise<void>((resolve) => (release = resolve));
    const j = journal(
      {
        ingest: async (ds) => {
          calls.push(ds.map((d) => marks([d])));
          if (calls.length === 1) await first;
        },
      },
      [],
      { concurrency: 1 },
    );
    j.start();
    const customers = ['6281200000001', '6281200000002', '6281200000003'];
    await j.accept(delivery(customers[0] ?? '', 0).delivery, delivery(customers[0] ?? '', 0).body);
    expect(await waitFor(() => calls.length === 1, 5_000)).toBe(true);
    // While the first ingest is under way, every customer writes again.
    for (let n = 1; n < 4; n++) for (const c of customers) await j.accept(delivery(c, n).delivery, delivery(c, n).body);
    release();
    await j.drain();
    await j.stop();

    expect(calls[0]).toEqual([[`${customers[0]}:0`]]);
    // One call for all that waited: a delivery per customer (the first's last, as it was busy), its messages in arrival order.
    expect(calls).toHaveLength(2);
    expect([...(calls[1] ?? [])].sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''))).toEqual(customers.map((c) => [1, 2, 3].map((n) => `${c}:${n}`)));
    expect(await journalEntries().countDocuments({})).toBe(0);
  });

  it('starts an ingest at most every ingestEveryMs while deliveries keep coming, each taking what arrived meanwhile, and one after a quiet spell at once', async () => {
    const calls: { at: number; marks: string[] }[] = [];
    const everyMs = 1_500;
    const j = journal({ ingest: async (ds) => void calls.push({ at: performance.now(), marks: marks(ds).sort() }) }, [], { ingestEveryMs: everyMs });
    const send = (from: string, n: number) => j.accept(delivery(from, n).delivery, delivery(from, n).body);
    j.start();
    try {
      // The first after a quiet spell: its ingest is called before accept resolves.
      await send('6281230000001', 0);
      expect(calls.map((c) => c.marks)).toEqual([['6281230000001:0']]);
      // More within the interval wait for it, and go together.
      await send('6281230000002', 0);
      await send('6281230000001', 1);
      expect(calls).toHaveLength(1);
      expect(await waitFor(() => calls.length === 2, 5_000)).toBe(true);
      expect(calls[1]?.marks).toEqual(['6281230000001:1', '6281230000002:0']);
      expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(everyMs - 1);
      // Quiet for an interval: the next goes at once again.
      await new Promise((resolve) => setTimeout(resolve, everyMs));
      await send('6281230000003', 0);
      expect(calls).toHaveLength(3);
    } finally {
      await j.stop();
    }
    expect(await journalEntries().countDocuments({})).toBe(0);
  });

  it('takes at most a batch of deliveries an ingest, a customer with more continuing in a later one, in order', async () => {
    const calls: string[][] = [];
    const j = journal({ ingest: async (ds) => void calls.push(marks(ds)) }, [], { batchSize: 50 });
    const from = '6281220000001';
    for (let n = 0; n < 60; n++) await j.accept(delivery(from, n).delivery, delivery(from, n).body);
    await j.accept(delivery('6281220000002', 0).delivery, delivery('6281220000002', 0).body);

    await j.drain();
    expect(calls.every((c) => c.length <= 50)).toBe(true);
    expect(calls[0]).toEqual([...Array(50).keys()].map((n) => `${from}:${n}`));
    expect(calls.flat().filter((m) => m.startsWith(from))).toEqual([...Array(60).keys()].map((n) => `${from}:${n}`));
    expect(calls.flat().filter((m) => m.startsWith('6281220000002'))).toEqual(['6281220000002:0']);
    expect(await journalEntries().countDocuments({})).toBe(0);
  });

  it("keeps a failing delivery and retries it with backoff, holding that customer's later ones behind it", async () => {
    const ingested: string[] = [];
    // The first failure is of an ingest of both customers, which are then tried one by one.
    let failures = 3;
    const logLines: string[] = [];
    const j = journal(
      {
        ingest: async (d) => {
          if (marks(d).includes('6281300000001:0') && failures > 0) {
            failures--;
            throw new Error('database busy');
          }
          ingested.push(...marks(d));
        },
      },
      logLines,
    );
    for (let n = 0; n < 3; n++) await j.accept(delivery('6281300000001', n).delivery, delivery('6281300000001', n).body);
    await j.accept(delivery('6281300000002', 0).delivery, delivery('6281300000002', 0).body);

    await j.drain();
    // The other customer is not held up; the failing one's entries all wait, still stored.
    expect(ingested).toEqual(['6281300000002:0']);
    expect(await journalEntries().countDocuments({})).toBe(3);
    // Each retry waits twice as long as the one before; then the customer's entries go, in order.
    await waitFor(async () => (await j.drain(), ingested.length === 4), 10_000);
    expect(ingested).toEqual(['6281300000002:0', '6281300000001:0', '6281300000001:1', '6281300000001:2']);
    expect(await journalEntries().countDocuments({})).toBe(0);
    const retries = logLines.filter((l) => l.includes('will be ingested again')).map((l) => /"retryInMs":(\d+)/.exec(l)?.[1]);
    expect(retries).toEqual(['250', '500']);
  });

  it('refuses a delivery, storing nothing, while it holds as many as it may, and takes them again once ingested', async () => {
    const j = journal({ ingest: async () => undefined }, [], { maxBacklog: 2 });
    for (let n = 0; n < 2; n++) await j.accept(delivery('6281350000001', n).delivery, delivery('6281350000001', n).body);
    await expect(j.accept(delivery('6281350000001', 2).delivery, delivery('6281350000001', 2).body)).rejects.toBeInstanceOf(JournalFull);
    expect(await journalEntries().countDocuments({})).toBe(2);

    await j.drain();
    await j.accept(delivery('6281350000001', 2).delivery, delivery('6281350000001', 2).body);
    expect(await journalEntries().countDocuments({})).toBe(1);
    await j.drain();
  });

  it('takes over an entry whose instance stopped renewing it, once among two takers, and leaves live ones alone', async () => {
    await othersEntry('an-instance-that-died', delivery('6281400000001', 0).body, new Date(Date.now() - 1_000));
    const live = await othersEntry('a-live-instance', delivery('6281400000002', 0).body, new Date(Date.now() + 60_000));
    const ingested: string[] = [];
    const a = journal({ ingest: async (d) => ingested.push(...marks(d).map((m) => `a ${m}`)) });
    const b = journal({ ingest: async (d) => ingested.push(...marks(d).map((m) => `b ${m}`)) });

    await Promise.all([a.drain(), b.drain()]);
    expect(ingested.map((m) => m.slice(2))).toEqual(['6281400000001:0']);
    expect((await journalEntries().find({}).lean()).map((e) => String(e._id))).toEqual([String(live._id)]);
    // The dead instance's hold is forgotten with its last entry; the live one's stays.
    const holders = (await journalHolders().find({}).lean()).map((h) => h._id);
    expect(holders).toContain('a-live-instance');
    expect(holders).not.toContain('an-instance-that-died');
  });

  it('takes over, at its first recovery, entries whose owner never held them here (stored by an older version)', async () => {
    await othersEntry('an-older-version', delivery('6281420000001', 0).body);
    const ingested: string[] = [];
    await journal({ ingest: async (d) => ingested.push(...marks(d)) }).drain();
    expect(ingested).toEqual(['6281420000001:0']);
    expect(await journalEntries().countDocuments({})).toBe(0);
  });

  it('ingests, once each, entries that a version from before the journal had its own database left in the main one', async () => {
    const earlier = mongoose.connection.collection<JournalEntry>('journalentries');
    const left: JournalEntry = { _id: new Types.ObjectId(), accountId: account._id, body: delivery('6281430000001', 0).body, owner: 'an-old-version' };
    // Already moved by a move cut short, before the entries it came from were deleted.
    const moved = await othersEntry('an-old-version', delivery('6281430000002', 0).body);
    await earlier.insertMany([left, moved]);
    const ingested: string[] = [];
    const j = journal({ ingest: async (d) => ingested.push(...marks(d)) });

    await j.drain();
    expect(ingested.sort()).toEqual(['6281430000001:0', '6281430000002:0']);
    expect(await earlier.countDocuments({})).toBe(0);
    expect(await journalEntries().countDocuments({})).toBe(0);
    await j.drain();
    expect(ingested).toHaveLength(2);
  });

  it('renews its hold with one write however many entries it holds, and its entries are left alone while it does', async () => {
    let release: () => void = () => {};
    const stuck = new Promise<void>((resolve) => (release = resolve));
    const holder = journal({ ingest: () => stuck }, [], { leaseMs: 300, concurrency: 1 });
    holder.start();
    for (let n = 0; n < 20; n++) await holder.accept(delivery(`62814500000${n % 10}`, n).delivery, delivery(`62814500000${n % 10}`, n).body);
    const entryWrites = jest.spyOn(journalEntries(), 'updateMany');
    const firstHold = (await journalHolders().find({}).lean())[0]?.heldUntil.getTime() ?? 0;
    // Renewed (every lease/3) while every entry is still held: waited for, not slept on.
    const renewed = await waitFor(async () => ((await journalHolders().find({}).lean())[0]?.heldUntil.getTime() ?? 0) > firstHold, 5_000);
    expect(renewed).toBe(true);
    const hold = await journalHolders().find({}).lean();
    expect(hold).toHaveLength(1);
    expect(entryWrites).not.toHaveBeenCalled();

    // Another instance, recovering meanwhile, leaves the live holder's entries alone.
    const other: string[] = [];
    await journal({ ingest: async (d) => other.push(...marks(d)) }).drain();
    expect(other).toEqual([]);
    release();
    await holder.stop();
  });

  it("reads entries back with the service's own restore: against their account, as received; an account gone keeps its entry aside", async () => {
    const seeded = await seedCloudAccount(crypto.randomBytes(32));
    const { body } = delivery('6281510000001', 0);
    const kept: JournalEntry = { _id: new Types.ObjectId(), accountId: new Types.ObjectId(seeded.id), body, owner: 'an-instance-that-died' };
    const orphan: JournalEntry = { _id: new Types.ObjectId(), accountId: new Types.ObjectId(), body: delivery('6281510000002', 0).body, owner: 'an-instance-that-died' };
    await journalEntries().insertMany([kept, orphan]);
    const ingested: { accountId: string; marks: string[] }[] = [];
    const logLines: string[] = [];
    await journal({ restore: restoreDelivery, ingest: async (ds) => void ingested.push(...ds.map((d) => ({ accountId: String(d.account._id), marks: marks([d]) }))) }, logLines).drain();

    expect(ingested).toEqual([{ accountId: seeded.id, marks: ['6281510000001:0'] }]);
    expect((await journalEntries().find({}).lean()).map((e) => [String(e._id), e.asideUntil !== undefined])).toEqual([[String(orphan._id), true]]);
    expect(logLines.filter((l) => l.includes('cannot be read back'))).toHaveLength(1);
    await AccountModel.deleteMany({});
  });

  it('hands what it has not ingested back on stop, so another instance takes it at once', async () => {
    const first = journal({ ingest: async () => undefined });
    const { delivery: d, body } = delivery('6281500000001', 0);
    await first.accept(d, body);
    await first.stop();

    const ingested: string[] = [];
    await journal({ ingest: async (x) => ingested.push(...marks(x)) }).drain();
    expect(ingested).toEqual(['6281500000001:0']);
  });

  it('keeps an entry it can no longer read aside, for an operator, instead of dropping or retrying it', async () => {
    const unreadable = await othersEntry('an-instance-that-died', '{"object":"whatsapp_business_account","entry":"not a list"}', new Date(0));
    const logLines: string[] = [];
    const ingest = jest.fn(async () => undefined);
    await journal({ ingest }, logLines).drain();

    expect(ingest).not.toHaveBeenCalled();
    const kept = await journalEntries().findById(unreadable._id).lean();
    expect(kept?.asideUntil?.getTime()).toBeGreaterThan(Date.now() + 300 * 24 * 3_600_000);
    expect(logLines.filter((l) => l.includes('cannot be read back'))).toHaveLength(1);

    // Not tried again by the next instance to start, nor counted against anyone's hold.
    await journal({ ingest }, logLines).drain();
    expect(ingest).not.toHaveBeenCalled();
    expect(logLines.filter((l) => l.includes('cannot be read back'))).toHaveLength(1);
    expect(await journalHolders().countDocuments({})).toBe(0);
  });
});
