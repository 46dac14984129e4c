import type { Types } from 'mongoose';
import { claimOutcome, inboxStatus, type ClaimOutcome, type InboxStatus } from '../domain/inbox';
import { resolutionMs } from '../domain/metrics';
import { writingConversation } from './conversations';
import { recordMetricEvent } from './metrics-events';
import { ConversationModel } from './models';
import { deleteWindowAlert } from './windows';

/**
 * Who owns a conversation and where it stands. Each change is a guarded update (the filter
 * names the state it changes from), so of concurrent writers exactly one wins it.
 */

/** The guard on the holder: `null` matches an unassigned conversation, with `assignee` null or never set. */
const assigneeGuard = (holder: string | undefined) => holder ?? null;

interface Current {
  assignee?: string;
  status: InboxStatus;
  accountId: Types.ObjectId;
  openedAt?: Date;
  createdAt?: Date;
}

/** The conversation's owner and status (and its round, for the metrics) as they are now, read by `_id`. */
async function current(id: Types.ObjectId): Promise<Current | undefined> {
  const found = await ConversationModel.findById(id, { assignee: 1, status: 1, accountId: 1, openedAt: 1, createdAt: 1 }).lean();
  if (!found) return undefined;
  return {
    assignee: found.assignee ?? undefined,
    status: inboxStatus(found.status),
    accountId: found.accountId,
    ...(found.openedAt ? { openedAt: found.openedAt } : {}),
    ...(found.createdAt ? { createdAt: found.createdAt } : {}),
  };
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
 * `by` is who did it (none: the customer, by writing), for the metrics: resolving ends the
 * conversation's round, and leaving resolved begins a new one (src/domain/metrics.ts).
 */
export async function setStatus(
  id: Types.ObjectId,
  status: InboxStatus,
  now: Date,
  from: readonly InboxStatus[] = ['open', 'pending', 'resolved'],
  by?: string,
): Promise<{ before: InboxStatus; assignee?: string } | undefined> {
  return writingConversation(id, async () => {
    const before = await current(id);
    if (!before || before.status === status || !from.includes(before.status)) return undefined;
    // A conversation from before statuses has none stored: the guard matches that as open.
    const guard = before.status === 'open' ? { $in: [null, 'open' as const] } : before.status;
    const took = status === 'resolved' ? resolutionMs(before, now) : undefined;
    const reopened = before.status === 'resolved';
    const round = status === 'resolved' ? { resolvedAt: now, ...(took !== undefined ? { resolutionMs: took } : {}) } : reopened ? { openedAt: now } : {};
    const update = {
      $set: { status, updatedAt: now, ...round },
      ...(reopened ? { $unset: { firstResponseAt: true, firstResponseMs: true, resolvedAt: true, resolutionMs: true, csatScore: true, csatAskedAt: true } as const } : {}),
    };
    const changed = await ConversationModel.updateOne({ _id: id, status: guard }, update, { timestamps: false });
    if (changed.matchedCount !== 1) return undefined;
    if (status === 'resolved') await deleteWindowAlert(id);
    const agent = by ?? before.assignee;
    const event = { accountId: before.accountId, conversationId: id, at: now, ...(agent ? { agent } : {}) };
    if (status === 'resolved') await recordMetricEvent({ ...event, key: `${String(id)}:${now.getTime()}`, kind: 'resolved', ...(took !== undefined ? { ms: took } : {}) });
    if (reopened) await recordMetricEvent({ ...event, key: `${String(id)}:${now.getTime()}`, kind: 'reopened' });
    return { before: before.status, ...(before.assignee ? { assignee: before.assignee } : {}) };
  });
}
