import type { mongo, Types } from 'mongoose';
import { driverCollection, isDuplicateKey, refusedAsDuplicates } from './database';
import { guarded, guardedAll } from './guard';
import {
  AccountModel,
  ConversationModel,
  LeaseModel,
  WindowAlertModel,
  type AccountDocument,
  type Conversation,
  type ConversationDocument,
  type WindowAlert,
  type WindowAlertDocument,
} from './models';

/**
 * Queries of the 24-hour window feature. The sweep reads and writes only WindowAlert,
 * a collection holding just the conversations with an alert pending, so its cost follows
 * what is due, not every conversation stored.
 */

/** Alerts the sweeper has something due for, most overdue first (index on nextAlertAt). */
export async function alertsDue(now: Date, limit: number): Promise<WindowAlertDocument[]> {
  return WindowAlertModel.find({ nextAlertAt: { $lte: now } }).sort({ nextAlertAt: 1, _id: 1 }).limit(limit);
}

export async function findWindowAlert(id: Types.ObjectId): Promise<WindowAlertDocument | undefined> {
  return (await WindowAlertModel.findById(id)) ?? undefined;
}

export interface AlertProgress {
  warnedThresholds: number[];
  closedNotified: boolean;
  /** Undefined when nothing more is due: the alert document goes. */
  nextAlertAt: Date | undefined;
}

type AlertSubject = Pick<Conversation, 'accountId' | 'waId' | 'profileName' | 'channelId' | 'threadTs'> & { _id: Types.ObjectId };

/**
 * Sets the alert state of these conversations' windows, in one write: each upserted unless a later
 * window's is stored (then its upsert's insert is refused by the unique `_id`, and that one stays),
 * or deleted when nothing is due.
 */
export async function putWindowAlerts(alerts: readonly { conversation: AlertSubject; closesAt: Date; progress: AlertProgress }[]): Promise<void> {
  if (alerts.length === 0) return;
  const replaces = (upsert: boolean) => (n: number): mongo.AnyBulkWriteOperation<WindowAlert>[] => {
    const alert = alerts[n];
    if (!alert) return [];
    const { conversation: c, closesAt, progress } = alert;
    const { nextAlertAt } = progress;
    if (!nextAlertAt) return upsert ? [{ deleteOne: { filter: { _id: c._id } } }] : [];
    const fields = {
      accountId: c.accountId,
      waId: c.waId,
      ...(c.profileName ? { profileName: c.profileName } : {}),
      ...(c.channelId ? { channelId: c.channelId } : {}),
      ...(c.threadTs ? { threadTs: c.threadTs } : {}),
      closesAt,
      warnedThresholds: progress.warnedThresholds,
      closedNotified: progress.closedNotified,
      nextAlertAt,
    };
    return [{ updateOne: { filter: { _id: c._id, closesAt: { $lte: closesAt } }, update: { $set: fields, $setOnInsert: { __v: 0 } }, upsert } }];
  };
  await guardedAll(alerts.map(({ conversation }) => alertGuard(conversation._id)), async () => {
    const collection = driverCollection(WindowAlertModel);
    const refused = await refusedAsDuplicates(collection.bulkWrite(alerts.flatMap((_, n) => replaces(true)(n)), { ordered: false }));
    // Another writer inserted one between our update and our insert: replaced only if its window is not later.
    if (refused.size > 0) await collection.bulkWrite([...refused].flatMap(replaces(false)), { ordered: false });
  });
}

/** Writes of one conversation's alert document take turns where the server needs that (see `guarded`). */
function writingAlert<T>(id: Types.ObjectId, write: () => Promise<T>): Promise<T> {
  return guarded(alertGuard(id), write);
}

const alertGuard = (id: Types.ObjectId) => `window-alert:${String(id)}`;

export async function deleteWindowAlert(id: Types.ObjectId): Promise<void> {
  await writingAlert(id, () => WindowAlertModel.deleteOne({ _id: id }));
}

/** The conversation's thread was opened: its pending alert (if any) summarises with a link to it. */
export async function setWindowAlertThread(id: Types.ObjectId, channelId: string, threadTs: string): Promise<void> {
  await writingAlert(id, () => WindowAlertModel.updateOne({ _id: id }, { $set: { channelId, threadTs } }));
}

/**
 * Records the sweep's progress (deleting what is done). Each write is guarded by the window it is
 * for: a window that moved meanwhile has fresh alerts, which the sweep's progress must not touch.
 */
export async function recordAlertProgress(id: Types.ObjectId, closesAt: Date, progress: AlertProgress): Promise<void> {
  const { nextAlertAt } = progress;
  await writingAlert(id, async () => {
    if (nextAlertAt) {
      await WindowAlertModel.updateOne({ _id: id, closesAt }, { $set: { warnedThresholds: progress.warnedThresholds, closedNotified: progress.closedNotified, nextAlertAt } });
    } else await WindowAlertModel.deleteOne({ _id: id, closesAt });
  });
}

/** Open windows of these accounts, closing first (index on accountId + windowClosesAt). */
export async function openWindows(accountIds: readonly Types.ObjectId[], now: Date, limitPerAccount: number): Promise<Map<string, ConversationDocument[]>> {
  const lists = await Promise.all(
    accountIds.map((accountId) =>
      ConversationModel.find({ accountId, windowClosesAt: { $gt: now } })
        .sort({ windowClosesAt: 1, _id: 1 })
        .limit(limitPerAccount)
        .lean(),
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

/**
 * Takes the sweep's lease unless another sweeper holds it: an upsert guarded by the expiry, so
 * against a live holder it finds nothing to update and its insert is refused by the unique `_id`.
 */
export async function takeSweepLease(name: string, owner: string, now: Date, leaseMs: number): Promise<boolean> {
  try {
    await guarded(`lease:${name}`, () =>
      LeaseModel.updateOne({ _id: name, until: { $lte: now } }, { $set: { owner, until: new Date(now.getTime() + leaseMs) } }, { upsert: true }),
    );
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/** Ends the holder's lease early so the next sweep need not wait for the expiry. */
export async function releaseSweepLease(name: string, owner: string): Promise<void> {
  await guarded(`lease:${name}`, () => LeaseModel.updateOne({ _id: name, owner }, { $set: { until: new Date(0) } }));
}

/** The accounts of these that post to Slack: connected and switched on. */
export async function postingAccountIds(ids: readonly string[]): Promise<Set<string>> {
  const posting = await AccountModel.find({ _id: { $in: ids }, state: 'connected', enabled: true }, { _id: 1 }).lean();
  return new Set(posting.map((a) => String(a._id)));
}
