import type { Types } from 'mongoose';
import { LookupModel } from './models';

/** Mongo's duplicate-key error (FerretDB answers the same code). */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 11000;
}

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

export async function findRef(key: string): Promise<Types.ObjectId | undefined> {
  const found = await LookupModel.findById(key);
  return found?.ref ?? undefined;
}

export interface ClaimOptions {
  /** Delivery progress to start an outbound message's `wamid:` key at. */
  progress?: number;
  /** Whether the document a key names still exists: a key naming a deleted one is taken over. */
  isLive?: (ref: Types.ObjectId) => Promise<boolean>;
}

/**
 * Points `key` at `ref` unless it already points somewhere: the first claim wins,
 * atomically even against concurrent claimants, and every claimant learns the winner.
 */
export async function claimRef(key: string, ref: Types.ObjectId, options: ClaimOptions = {}): Promise<{ ref: Types.ObjectId; created: boolean }> {
  const progress = options.progress === undefined ? {} : { progress: options.progress };
  try {
    await LookupModel.create({ _id: key, ref, ...progress });
    return { ref, created: true };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const existing = await findRef(key);
    if (!existing) throw err;
    if (existing.equals(ref) || !options.isLive || (await options.isLive(existing))) return { ref: existing, created: false };
    // What it named was deleted, so the key is free again; a concurrent taker can only name
    // the same document as we do, because the documents' own unique indexes allow just one.
    await LookupModel.updateOne({ _id: key }, { $set: { ref, ...progress }, ...(options.progress === undefined ? { $unset: { progress: 1 } } : {}) });
    return { ref, created: true };
  }
}

/**
 * Raises the progress stored on `key` to at least `progress` in one atomic `$max`
 * (on MongoDB), returning what it was before: only the caller that moved it sees a lower value.
 * Undefined when the key does not exist.
 */
export async function raiseProgress(key: string, progress: number): Promise<{ before: number | undefined } | undefined> {
  const before = await LookupModel.findOneAndUpdate({ _id: key }, { $max: { progress } }, { new: false });
  if (!before) return undefined;
  return { before: before.progress ?? undefined };
}

export async function readProgress(key: string): Promise<number | undefined> {
  return (await LookupModel.findById(key))?.progress ?? undefined;
}
