import { isValidObjectId, type Types } from 'mongoose';
import { SAVED_REPLY_LIMITS, type SavedReplyDraft } from '../domain/saved-replies';
import { isDuplicateKey } from './database';
import { SavedReplyModel, type SavedReplyDocument } from './models';

/** Saved replies of one account, by name. */

export function savedReplyNameKey(name: string): string {
  return name.trim().toLowerCase();
}

export async function listSavedReplies(accountId: Types.ObjectId): Promise<SavedReplyDocument[]> {
  return SavedReplyModel.find({ accountId }).sort({ nameKey: 1 }).limit(SAVED_REPLY_LIMITS.perAccount);
}

/** The reply, if it is this account's. */
export async function findSavedReply(accountId: Types.ObjectId, id: string): Promise<SavedReplyDocument | undefined> {
  if (!isValidObjectId(id)) return undefined;
  const found = await SavedReplyModel.findById(id);
  return found && found.accountId.equals(accountId) ? found : undefined;
}

/**
 * Creates the reply, or updates the one `id` names; 'taken' when another reply of the account has the
 * name (the unique index decides, also between two admins saving at once). Returns the reply before and after.
 */
export async function saveSavedReply(
  accountId: Types.ObjectId,
  draft: SavedReplyDraft,
  by: string,
  id?: string,
): Promise<{ before?: SavedReplyDocument; after: SavedReplyDocument } | 'taken' | 'gone'> {
  const fields = { name: draft.name.trim(), nameKey: savedReplyNameKey(draft.name), text: draft.text };
  try {
    if (id === undefined) return { after: await SavedReplyModel.create({ accountId, ...fields, createdBy: by }) };
    const before = await findSavedReply(accountId, id);
    if (!before) return 'gone';
    const after = await SavedReplyModel.findOneAndUpdate({ _id: before._id }, { $set: fields }, { returnDocument: 'after' });
    return after ? { before, after } : 'gone';
  } catch (err) {
    if (isDuplicateKey(err)) return 'taken';
    throw err;
  }
}

export async function deleteSavedReply(accountId: Types.ObjectId, id: string): Promise<SavedReplyDocument | undefined> {
  const found = await findSavedReply(accountId, id);
  if (found) await SavedReplyModel.deleteOne({ _id: found._id });
  return found;
}
