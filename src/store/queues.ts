import type { Types } from 'mongoose';
import { pageCount, pageRuns, type QueueName } from '../domain/queues';
import { ConversationModel, type ConversationDocument } from './models';

/**
 * The inbox queues of a workspace's accounts: open conversations (resolved and pending ones wait for
 * the customer), all of them, one agent's, or nobody's. Indexed on MongoDB by
 * { accountId, status, assignee, windowClosesAt }, { accountId, status, windowClosesAt } and, filtered by a tag,
 * { accountId, status, tags, windowClosesAt }; read a page at a time.
 */

export interface QueuePage {
  rows: ConversationDocument[];
  total: number;
  /** Zero-based, clamped to the pages there are. */
  page: number;
  pages: number;
}

function filterOf(accountIds: readonly Types.ObjectId[], queue: QueueName, userId: string, tag: string | undefined) {
  return {
    accountId: { $in: [...accountIds] },
    // Conversations from before statuses have none: open.
    status: { $in: [null, 'open' as const] },
    ...(queue === 'mine' ? { assignee: userId } : queue === 'unassigned' ? { assignee: null } : {}),
    ...(tag ? { tags: tag } : {}),
  };
}

export async function queuePage(
  accountIds: readonly Types.ObjectId[],
  queue: QueueName,
  opts: { userId: string; now: Date; page: number; size: number; tag?: string },
): Promise<QueuePage> {
  if (accountIds.length === 0) return { rows: [], total: 0, page: 0, pages: 1 };
  const base = filterOf(accountIds, queue, opts.userId, opts.tag);
  const stillOpen = { ...base, windowClosesAt: { $gt: opts.now } };
  const closed = { ...base, $or: [{ windowClosesAt: { $lte: opts.now } }, { windowClosesAt: null }] };
  const [openCount, closedCount] = await Promise.all([ConversationModel.countDocuments(stillOpen), ConversationModel.countDocuments(closed)]);
  const total = openCount + closedCount;
  const pages = pageCount(total, opts.size);
  const page = Math.min(Math.max(0, Math.trunc(opts.page)), pages - 1);
  const runs = pageRuns(page, opts.size, openCount);
  const [first, rest] = await Promise.all([
    runs.open.limit > 0 ? ConversationModel.find(stillOpen).sort({ windowClosesAt: 1, _id: 1 }).skip(runs.open.skip).limit(runs.open.limit).lean() : [],
    runs.closed.limit > 0 ? ConversationModel.find(closed).sort({ lastInboundAt: 1, _id: 1 }).skip(runs.closed.skip).limit(runs.closed.limit).lean() : [],
  ]);
  return { rows: [...first, ...rest], total, page, pages };
}
