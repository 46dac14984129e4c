import mongoose, { type Types } from 'mongoose';
import { Batcher } from './batcher';
import { refusedAsDuplicates } from './database';
import { guarded } from './guard';
import { journalWrites } from './health';
import { journalEntries, journalHolders, type JournalEntry } from './models';

// Concurrent webhooks share one insert (and processed entries one delete): at a
// thousand deliveries a second, a round trip each would be the bottleneck.
const appends = new Batcher<JournalEntry>(async (entries) => {
  await journalEntries().insertMany(entries, { lean: true });
});
const removals = new Batcher<Types.ObjectId>(async (ids) => {
  // A filter on _id alone: the embedded database reads these by its index and deletes them in one transaction.
  await journalEntries().deleteMany({ _id: { $in: ids } });
});

/** Resolves once the entry is stored. */
export function appendJournal(entry: JournalEntry): Promise<void> {
  return journalWrites.watch(appends.add(entry));
}

/** Resolves once the entry is gone. */
export function removeJournal(id: Types.ObjectId): Promise<void> {
  return removals.add(id);
}

/** Keeps the owner's entries out of other instances' hands until `until`. */
export async function holdJournal(owner: string, until: Date): Promise<void> {
  await journalHolders().updateOne({ _id: owner }, { $set: { heldUntil: until } }, { upsert: true });
}

/** Owners presumed dead: a holder that lapsed, or none at all (its entries' owner never held them here). */
export async function lapsedOwners(now: Date, { withoutHolder }: { withoutHolder: boolean }): Promise<string[]> {
  // The holders are few (one an instance); the entries may be many, and a scan reads every one.
  const holders = await journalHolders().find({}).lean();
  const lapsed = holders.filter((h) => h.heldUntil < now).map((h) => h._id);
  if (!withoutHolder) return lapsed;
  const known = new Set(holders.map((h) => h._id));
  const owners: string[] = await journalEntries().distinct('owner');
  return [...lapsed, ...owners.filter((o) => !known.has(o))];
}

/** The owner's entries, oldest first, but those set aside. */
export function entriesOf(owner: string, now: Date, limit: number): Promise<JournalEntry[]> {
  return journalEntries().find({ owner, $nor: [{ asideUntil: { $gt: now } }] })
    .sort({ _id: 1 })
    .limit(limit)
    .lean();
}

/** Gives the entry to `owner` if it is still `from`'s: of concurrent takers, one does. */
export async function takeJournalEntry(id: Types.ObjectId, from: string, owner: string): Promise<boolean> {
  const taken = await guarded(`journal:${String(id)}`, () => journalEntries().updateOne({ _id: id, owner: from }, { $set: { owner } }));
  return taken.matchedCount === 1;
}

/** The owner of entries set aside: it has no holder, so only a scan for owners without one (at start) finds them. */
const SET_ASIDE = 'set-aside';

/** Keeps an entry of `from` out of every instance's hands until `until` (unless another took it); the first start after that tries it again. */
export async function setJournalEntryAside(id: Types.ObjectId, from: string, until: Date): Promise<boolean> {
  const aside = await guarded(`journal:${String(id)}`, () => journalEntries().updateOne({ _id: id, owner: from }, { $set: { owner: SET_ASIDE, asideUntil: until } }));
  return aside.matchedCount === 1;
}

/**
 * Moves up to `limit` entries that a version from before the journal had its own database stored
 * in the main one, so that they are ingested, not stranded: at an instance's first recovery, as
 * only an upgrade leaves any. Their owners get a lapsed hold, so that recovery takes them over. An old instance still at work on one only has it ingested twice,
 * harmlessly. Set-aside entries keep waiting for the next start, as they did where they were.
 */
export async function adoptEarlierEntries(limit: number): Promise<number> {
  const earlier = mongoose.connection.collection<JournalEntry>(journalEntries().collection.collectionName);
  const entries = await earlier.find({}).limit(limit).toArray();
  if (entries.length === 0) return 0;
  // Some may have been moved before, by another instance or by a move cut short.
  await refusedAsDuplicates(journalEntries().insertMany(entries, { ordered: false, lean: true }));
  const owners = new Set(entries.map((e) => e.owner).filter((owner) => owner !== SET_ASIDE));
  for (const owner of owners) {
    await journalHolders().updateOne({ _id: owner }, { $setOnInsert: { heldUntil: new Date(0) } }, { upsert: true });
  }
  await earlier.deleteMany({ _id: { $in: entries.map((e) => e._id) } });
  return entries.length;
}

/** Forgets a lapsed holder whose entries are all taken. */
export async function forgetJournalHolder(owner: string, now: Date): Promise<void> {
  if (await journalEntries().exists({ owner })) return;
  await journalHolders().deleteOne({ _id: owner, heldUntil: { $lt: now } });
}
