import type { Types } from 'mongoose';
import { claimOutcome, inboxStatus, type ClaimOutcome, type InboxStatus } from '../domain/inbox';
import { writingConversation } from './conversations';
import { ConversationModel } from './models';
import { deleteWindowAlert } from './windows';

/**
 * Who owns a conversation and where it stands. Each change is a guarded update (the filter
 * names the state it changes from), so of concurrent writers exactly one wins it.
 */

/** The guard on the holder: `null` matches an unassigned conversation, with `assignee` null or never set. */
const assigneeGuard = (holder: string | undefined) => holder ?? null;

/** The conversation's owner and status as they are now, read by `_id`. */
async function current(id: Types.ObjectId): Promise<{ assignee?: string; status: InboxStatus } | undefined> {
  const found = await ConversationModel.findById(id, { assignee: 1, status: 1 }).lean();
  return found ? { assignee: found.assignee ?? undefined, status: inboxStatus(found.status) } : undefined;
}

/** Makes `userId` the assignee if nobody is; otherwise says who is. Of concurrent claimants exactly one wins. */
export async function claimConversation(id: Types.ObjectId, userId: string, now: Date): Promise<ClaimOutcome | undefined> {
  return writingConversation(id, async () => {
    const before = await current(id);
    if (!before) return undefined;
    const outcome = claimOutcome(before.assignee, userId);
    if (outcome.kind !== 'won') return outcome;
    const won = await ConversationModel.updateOne({ _id: id, assignee: assigneeGuard(undefined) }, { $set: { assignee: userId, updatedAt: now } }, { timestamps: false });
    if (won.matchedCount === 1) return outcome;
    // Lost to a concurrent claimant: say who has it.
    const after = await current(id);
    return after?.assignee ? claimOutcome(after.assignee, userId) : undefined;
  });
}

/** Hands the conversation to `to` (or back to the queue: undefined) whoever held it; the previous assignee, or 'unchanged'. */
export async function setAssignee(id: Types.ObjectId, to: string | undefined, now: Date): Promise<{ before?: string } | 'unchanged' | undefined> {
  return writingConversation(id, async () => {
    const before = await current(id);
    if (!before) return undefined;
    if (before.assignee === to) return 'unchanged';
    const changed = await ConversationModel.updateOne({ _id: id, assignee: assigneeGuard(before.assignee) }, { $set: { assignee: to ?? null, updatedAt: now } }, { timestamps: false });
    return changed.matchedCount === 1 ? { before: before.assignee } : 'unchanged';
  });
}

/**
 * Moves the conversation to `status` from any of `from`; the status it had, or undefined when it had
 * none of them (or is gone). A resolved conversation has no window warnings due: its alert goes.
 */
export async function setStatus(
  id: Types.ObjectId,
  status: InboxStatus,
  now: Date,
  from: readonly InboxStatus[] = ['open', 'pending', 'resolved'],
): Promise<{ before: InboxStatus; assignee?: string } | undefined> {
  return writingConversation(id, async () => {
    const before = await current(id);
    if (!before || before.status === status || !from.includes(before.status)) return undefined;
    // A conversation from before statuses has none stored: the guard matches that as open.
    const guard = before.status === 'open' ? { $in: [null, 'open' as const] } : before.status;
    const changed = await ConversationModel.updateOne({ _id: id, status: guard }, { $set: { status, updatedAt: now } }, { timestamps: false });
    if (changed.matchedCount !== 1) return undefined;
    if (status === 'resolved') await deleteWindowAlert(id);
    return { before: before.status, ...(before.assignee ? { assignee: before.assignee } : {}) };
  });
}
