import { KnownPending, type Queued } from '../../src/outbox/known';

const at = new Date('2026-12-01T00:00:00Z');
const queued = (seq: number, lane = 'L1'): Queued => ({ _id: `k${seq}`, lane, seq, attempts: 0, nextAttemptAt: at });
const ids = (items: Queued[]) => items.map((item) => item._id);

/** An outbox of pending items, read the way `readPending` does: the first `limit` by seq. */
function outbox(...seqs: number[]) {
  const pending = new Map(seqs.map((seq) => [`k${seq}`, queued(seq)]));
  let reads = 0;
  let gate: Promise<void> | undefined;
  return {
    pending,
    get reads() {
      return reads;
    },
    /** Holds the next read until the returned function is called, the result taken before then. */
    holdNextRead() {
      let open = () => {};
      gate = new Promise((resolve) => (open = resolve));
      return open;
    },
    read: async (limit: number) => {
      reads++;
      const result = [...pending.values()].sort((a, b) => a.seq - b.seq).slice(0, limit);
      if (gate) {
        const waiting = gate;
        gate = undefined;
        await waiting;
      }
      return result;
    },
  };
}

describe('the pending items an outbox worker knows of', () => {
  let now = 0;
  const clock = () => now;
  const options = { readLimit: 3, rereadMs: 1_000, readShare: 0.05 };
  beforeEach(() => (now = 0));

  it('reads the outbox once, then serves the next passes from what it knows and what this process stored', async () => {
    const db = outbox(1, 2);
    const known = new KnownPending(db.read, options, clock);
    expect(ids(await known.first(10))).toEqual(['k1', 'k2']);
    known.changed('k1', undefined);
    known.stored([queued(3)]);
    known.changed('k2', { ...queued(2), attempts: 1 });
    const next = await known.first(10);
    expect(ids(next)).toEqual(['k2', 'k3']);
    expect(next[0]?.attempts).toBe(1);
    expect(db.reads).toBe(1);
  });

  it('reads again when told it may be wrong, and after the reread interval', async () => {
    const db = outbox(1);
    const known = new KnownPending(db.read, options, clock);
    await known.first(10);
    db.pending.set('k2', queued(2)); // stored by another instance
    expect(ids(await known.first(10))).toEqual(['k1']);
    known.invalidate();
    expect(ids(await known.first(10))).toEqual(['k1', 'k2']);
    db.pending.set('k3', queued(3));
    now += 999;
    expect(ids(await known.first(10))).toEqual(['k1', 'k2']);
    now += 1;
    expect(ids(await known.first(10))).toEqual(['k1', 'k2', 'k3']);
    expect(db.reads).toBe(3);
  });

  it('reads a long backlog at most the given share of the time', async () => {
    const db = outbox(1);
    let readTakes = 0;
    const known = new KnownPending(
      async (limit) => {
        const result = await db.read(limit);
        now += readTakes;
        return result;
      },
      options,
      clock,
    );
    readTakes = 200;
    await known.first(10);
    now += 3_999; // a read of 200 ms may come every 4 s at a share of 5%
    await known.first(10);
    expect(db.reads).toBe(1);
    now += 1;
    await known.first(10);
    expect(db.reads).toBe(2);
  });

  it('keeps what this process stores out while the last read did not take in every pending item, so no lane skips one', async () => {
    const db = outbox(1, 2, 3, 4);
    const known = new KnownPending(db.read, options, clock);
    expect(ids(await known.first(2))).toEqual(['k1', 'k2']);
    db.pending.set('k5', queued(5));
    known.stored([queued(5)]);
    known.changed('k1', undefined);
    db.pending.delete('k1');
    // Two of the three read are left, enough for a pass of two: no read.
    expect(ids(await known.first(2))).toEqual(['k2', 'k3']);
    known.changed('k2', undefined);
    db.pending.delete('k2');
    // One left, fewer than a pass takes: read again, and k4, waiting beyond the first read, comes before k5.
    expect(ids(await known.first(2))).toEqual(['k3', 'k4']);
    expect(db.reads).toBe(2);
    expect(ids(await known.first(10))).toEqual(['k3', 'k4', 'k5']);
  });

  it('holds no more than a read takes in: what this process stores beyond waits in the outbox, in order', async () => {
    const db = outbox(1);
    const known = new KnownPending(db.read, options, clock);
    await known.first(10);
    const stored = [2, 3, 4, 5].map((seq) => queued(seq));
    for (const item of stored) db.pending.set(item._id, item);
    known.stored(stored);
    expect(ids(await known.first(3))).toEqual(['k1', 'k2', 'k3']);
    expect(db.reads).toBe(1);
    for (const id of ['k1', 'k2', 'k3']) {
      known.changed(id, undefined);
      db.pending.delete(id);
    }
    expect(ids(await known.first(3))).toEqual(['k4', 'k5']);
    expect(db.reads).toBe(2);
  });

  it('replays onto a read what happened while it was under way', async () => {
    const db = outbox(1, 2);
    const known = new KnownPending(db.read, options, clock);
    const open = db.holdNextRead();
    const reading = known.first(10);
    await Promise.resolve();
    // The read has its result (k1, k2); meanwhile k1 is delivered and k9 stored.
    known.changed('k1', undefined);
    known.stored([queued(9)]);
    open();
    expect(ids(await reading)).toEqual(['k2', 'k9']);
  });

  it('stays unread after a failed read, and reads on the next pass', async () => {
    const db = outbox(1);
    let fail = true;
    const known = new KnownPending(
      async (limit) => {
        if (fail) throw new Error('database away');
        return db.read(limit);
      },
      options,
      clock,
    );
    await expect(known.first(10)).rejects.toThrow('database away');
    known.stored([queued(2)]);
    fail = false;
    expect(ids(await known.first(10))).toEqual(['k1']);
  });
});
