import type { Types } from 'mongoose';
import { knownOutboxKeys } from '../outbox';
import { AccountModel, ConversationModel, type AccountDocument, type ConversationDocument } from './models';

/** Queries of the 24-hour window feature; every one is served by an index on the window's times. */

/** Conversations the sweeper has something due for, most overdue first (index on nextAlertAt). */
export async function conversationsDue(now: Date, limit: number): Promise<ConversationDocument[]> {
  return ConversationModel.find({ nextAlertAt: { $lte: now } }).sort({ nextAlertAt: 1, _id: 1 }).limit(limit);
}

export interface AlertProgress {
  warnedThresholds: number[];
  closedNotified: boolean;
  nextAlertAt: Date | undefined;
}

/**
 * Records what was alerted for the window closing at `closesAt`. Writes only if
 * the window is still that one; returns false when a new inbound message moved it.
 */
export async function recordAlertProgress(id: Types.ObjectId, closesAt: Date, progress: AlertProgress): Promise<boolean> {
  const result = await ConversationModel.updateOne(
    { _id: id, windowClosesAt: closesAt },
    {
      $set: {
        warnedThresholds: progress.warnedThresholds,
        closedNotified: progress.closedNotified,
        ...(progress.nextAlertAt ? { nextAlertAt: progress.nextAlertAt } : {}),
      },
      ...(progress.nextAlertAt ? {} : { $unset: { nextAlertAt: 1 } }),
    },
  );
  return result.matchedCount > 0;
}

/**
 * Records the sweep's progress by `_id` alone: a filter on the window too would make the
 * embedded database decode every conversation per write. A window that moved meanwhile
 * is put right by the sweep's repair pass, which re-reads every conversation it wrote.
 */
export async function recordAlertProgressMany(
  entries: readonly { id: Types.ObjectId; progress: AlertProgress }[],
): Promise<void> {
  // FerretDB v1 never answers a bulkWrite of 100 or more operations; chunks keep it well below.
  for (let start = 0; start < entries.length; start += BULK_CHUNK) {
    await writeProgress(entries.slice(start, start + BULK_CHUNK));
  }
}

const BULK_CHUNK = 50;

function writeProgress(entries: readonly { id: Types.ObjectId; progress: AlertProgress }[]) {
  return ConversationModel.bulkWrite(
    entries.map(({ id, progress }) => ({
      updateOne: {
        filter: { _id: id },
        update: {
          $set: { warnedThresholds: progress.warnedThresholds, closedNotified: progress.closedNotified, ...(progress.nextAlertAt ? { nextAlertAt: progress.nextAlertAt } : {}) },
          ...(progress.nextAlertAt ? {} : { $unset: { nextAlertAt: 1 as const } }),
        },
      },
    })),
    { ordered: false },
  );
}


/** Which alert keys of these the outbox has seen: the outbox, not the conversation, is the truth of what was posted. */
export function existingAlertKeys(keys: readonly string[]): Promise<Set<string>> {
  return knownOutboxKeys([...keys]);
}

/** Open windows of these accounts, closing first (index on accountId + windowClosesAt). */
export async function openWindows(accountIds: readonly Types.ObjectId[], now: Date, limitPerAccount: number): Promise<Map<string, ConversationDocument[]>> {
  const lists = await Promise.all(
    accountIds.map((accountId) =>
      ConversationModel.find({ accountId, windowClosesAt: { $gt: now } })
        .sort({ windowClosesAt: 1, _id: 1 })
        .limit(limitPerAccount),
    ),
  );
  return new Map(accountIds.map((id, i) => [String(id), lists[i] ?? []]));
}

/** No reply since the customer's last message (compared in code: $expr is not on every MongoDB-wire server). */
export function isAnswered(c: Pick<ConversationDocument, 'lastInboundAt' | 'lastReplyAt'>): boolean {
  const inbound = c.lastInboundAt ?? undefined;
  const reply = c.lastReplyAt ?? undefined;
  return reply !== undefined && (inbound === undefined || reply.getTime() >= inbound.getTime());
}

/** Accounts that post to Slack: connected and switched on. */
export async function postingAccounts(): Promise<AccountDocument[]> {
  return AccountModel.find({ state: 'connected', enabled: true }).sort({ _id: 1 });
}

export async function accountsOfTeam(teamId: string): Promise<AccountDocument[]> {
  return AccountModel.find({ teamId, state: 'connected' }).sort({ createdAt: 1, _id: 1 });
}
