import { setTimeout as sleep } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import { Types } from 'mongoose';
import { Batcher, uniqueInserts } from './batcher';
import { driverCollection } from './database';
import { LookupModel, type Lookup } from './models';

/**
 * The secondary keys our hot paths look documents up by. The embedded database only
 * answers a filter of exactly `{ _id }` without decoding the whole collection, so each
 * such question is a lookup document whose `_id` is the key. The indexes on the
 * documents themselves stay: they are what makes the same queries cheap on MongoDB.
 */
export const lookupKey = {
  conversation: (accountId: Types.ObjectId, waId: string) => `conversation:${String(accountId)}:${waId}`,
  thread: (channelId: string, threadTs: string) => `thread:${channelId}:${threadTs}`,
  wamid: (wamid: string) => `wamid:${wamid}`,
  message: (key: string) => `message:${key}`,
};

/**
 * The collection as the driver sees it, typed by our documents. Lookups are written and read on
 * every message, there is nothing to cast or default, and mongoose's `create` costs about twice the
 * CPU of the driver's insert: `{ _id, ref }` is exactly what `LookupModel.create` stores (no version key).
 */
function lookups() {
  return driverCollection<Lookup>(LookupModel);
}

// Keys claimed, and locks released, by concurrent callers (customers ingested side by side) share one write.
const inserts = uniqueInserts<Lookup>((docs) => lookups().insertMany(docs, { ordered: false }));
const removals = new Batcher<string>(async (keys) => {
  await lookups().deleteMany({ _id: { $in: keys } });
});

export async function findRef(key: string): Promise<Types.ObjectId | undefined> {
  const found = await lookups().findOne({ _id: key }, { projection: { ref: 1 } });
  return found?.ref ?? undefined;
}

/**
 * Points `key` at `ref` unless it already points somewhere: the first claim wins,
 * atomically even against concurrent claimants, and every claimant learns the winner.
 * With `isLive`, a key naming a document that was deleted is taken over.
 */
export async function claimRef(
  key: string,
  ref: Types.ObjectId,
  options: { isLive?: (ref: Types.ObjectId) => Promise<boolean> } = {},
): Promise<{ ref: Types.ObjectId; created: boolean }> {
  for (let attempt = 0; ; attempt++) {
    if ((await inserts.add({ _id: key, ref })) === true) return { ref, created: true };
    const existing = await findRef(key);
    // Released (a lock) between our insert and this read: try again.
    if (!existing) {
      if (attempt < 5) continue;
      throw new Error(`lookup ${key} keeps being taken and released`);
    }
    if (existing.equals(ref) || !options.isLive || (await options.isLive(existing))) return { ref: existing, created: false };
    // What it named was deleted, so the key is free again; a concurrent taker can only name
    // the same document as we do, because the documents' own unique indexes allow just one.
    await lookups().updateOne({ _id: key }, { $set: { ref } });
    return { ref, created: true };
  }
}

/**
 * Runs `fn` holding the lock `name`: a lookup whose insert is atomic on every server,
 * where conditional updates are not. A holder that died is overtaken after `staleMs`
 * (the owner id carries its creation time); waiting longer than `waitMs` throws, for a retry later.
 */
/** A lock stayed taken longer than the caller may wait: nothing was done, the request can be retried. */
export class LockBusyError extends Error {}

/**
 * Locks this process may have left taken, by key: their take or release failed (the database went
 * away), so it may or may not hold them. Their owner ids are used by nobody any more, so they are
 * released the moment they are met, where others would wait for them to go stale.
 */
const abandoned = new LRUCache<string, Types.ObjectId>({ max: 10_000 });

export async function withLock<T>(name: string, fn: () => Promise<T>, limits = { staleMs: 10_000, waitMs: 10_000 }): Promise<T> {
  const key = `lock:${name}`;
  const owner = new Types.ObjectId();
  const giveUpAt = Date.now() + limits.waitMs;
  for (let attempt = 0; ; attempt++) {
    const { ref, created } = await claimRef(key, owner).catch((err: unknown) => {
      abandoned.set(key, owner);
      throw err;
    });
    if (created) break;
    if (abandoned.get(key)?.equals(ref) || Date.now() - ref.getTimestamp().getTime() > limits.staleMs) {
      await release(key, ref);
      abandoned.delete(key);
      continue;
    }
    if (Date.now() > giveUpAt) throw new LockBusyError(`lock ${name} is busy`);
    await sleep(Math.min(50, 2 + attempt * 3) * (0.5 + Math.random()));
  }
  try {
    return await fn();
  } finally {
    // Others overtake a lock only once it looks older than `staleMs` to them (by their clock, from the owner
    // id's time in whole seconds). While it looks less than half that old to us nobody can have, unless clocks
    // disagree by seconds (when takeover misjudges live holders anyway): it is ours, and goes without a read first.
    const released = Date.now() - owner.getTimestamp().getTime() < limits.staleMs / 2 ? removals.add(key) : release(key, owner);
    await released.catch((err: unknown) => {
      abandoned.set(key, owner);
      throw err;
    });
  }
}

async function release(key: string, owner: Types.ObjectId): Promise<void> {
  // Only our own: a lock overtaken as stale belongs to someone else now.
  if ((await findRef(key))?.equals(owner)) await lookups().deleteOne({ _id: key });
}
