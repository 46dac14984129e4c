import type { Actor } from '../accounts/team';
import type { Deps } from '../context';
import { SAVED_REPLY_LIMITS, type SavedReplyDraft } from '../domain/saved-replies';
import { appendAudit } from '../store/audit';
import type { AccountDocument, SavedReplyDocument } from '../store/models';
import { deleteSavedReply, findSavedReply, listSavedReplies, saveSavedReply } from '../store/saved-replies';

/** Saved replies of one account: listed for everyone who may reply, changed by admins, every change audited. */

export type { SavedReplyDocument } from '../store/models';

const fields = (r: { name: string; text: string }) => ({ name: r.name, text: r.text });

export function accountReplies(account: Pick<AccountDocument, '_id'>): Promise<SavedReplyDocument[]> {
  return listSavedReplies(account._id);
}

/** The reply, if it is this account's. */
export function accountReply(account: Pick<AccountDocument, '_id'>, replyId: string): Promise<SavedReplyDocument | undefined> {
  return findSavedReply(account._id, replyId);
}

export type SaveReplyOutcome = { ok: true; reply: SavedReplyDocument } | { ok: false; refused: 'full' | 'taken' | 'gone' };

/** Creates a reply, or updates the one `replyId` names; audited. A new one is refused once the account has its limit. */
export async function saveAccountReply(
  deps: Pick<Deps, 'clock'>,
  actor: Actor,
  account: AccountDocument,
  draft: SavedReplyDraft,
  replyId?: string,
): Promise<SaveReplyOutcome> {
  if (!replyId && (await listSavedReplies(account._id)).length >= SAVED_REPLY_LIMITS.perAccount) return { ok: false, refused: 'full' };
  const saved = await saveSavedReply(account._id, draft, actor.userId, replyId);
  if (saved === 'taken' || saved === 'gone') return { ok: false, refused: saved };
  await appendAudit(
    {
      teamId: actor.teamId,
      actorId: actor.userId,
      action: saved.before ? 'saved_reply.update' : 'saved_reply.create',
      subject: `saved_reply:${String(saved.after._id)}`,
      accountId: String(account._id),
      ...(saved.before ? { before: fields(saved.before) } : {}),
      after: fields(saved.after),
    },
    deps.clock.now(),
  );
  return { ok: true, reply: saved.after };
}

/** Deletes the account's reply; audited. Undefined if the account has no such reply. */
export async function deleteAccountReply(
  deps: Pick<Deps, 'clock'>,
  actor: Actor,
  account: AccountDocument,
  replyId: string,
): Promise<SavedReplyDocument | undefined> {
  const deleted = await deleteSavedReply(account._id, replyId);
  if (!deleted) return undefined;
  await appendAudit(
    { teamId: actor.teamId, actorId: actor.userId, action: 'saved_reply.delete', subject: `saved_reply:${String(deleted._id)}`, accountId: String(account._id), before: fields(deleted) },
    deps.clock.now(),
  );
  return deleted;
}
