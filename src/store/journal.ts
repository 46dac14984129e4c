import type { Types } from 'mongoose';
import { GroupCommit } from './group-commit';
import { JournalModel, type JournalEntry } from './models';

// Concurrent webhooks share one insert (and processed entries one delete): at a
// thousand deliveries a second, a round trip each would be the bottleneck.
const appends = new GroupCommit<JournalEntry>(async (entries) => {
  await JournalModel.insertMany(entries, { lean: true });
});
const removals = new GroupCommit<Types.ObjectId>(async (ids) => {
  // One statement per entry, each by _id alone: FerretDB answers `$in` by reading every entry.
  await JournalModel.bulkWrite(ids.map((_id) => ({ deleteOne: { filter: { _id } } })), { ordered: false });
});

/** Resolves once the entry is stored. */
export function appendJournal(entry: JournalEntry): Promise<void> {
  return appends.add(entry);
}

/** Resolves once the entry is gone. */
export function removeJournal(id: Types.ObjectId): Promise<void> {
  return removals.add(id);
}

/** Keeps the owner's entries out of other instances' hands until `until`. */
export async function renewJournal(owner: string, until: Date): Promise<void> {
  await JournalModel.updateMany({ owner }, { $set: { heldUntil: until } });
}

/** Entries whose owner stopped renewing them, oldest first. */
export function staleJournal(now: Date, limit: number): Promise<JournalEntry[]> {
  return JournalModel.find({ heldUntil: { $lt: now } }).sort({ _id: 1 }).limit(limit).lean();
}

export async function holdJournal(id: Types.ObjectId, owner: string, until: Date): Promise<void> {
  await JournalModel.updateOne({ _id: id }, { $set: { owner, heldUntil: until } });
}
