import { Types } from 'mongoose';
import { OutboxModel } from './models';

/** Outbox items set aside (failed for good), as their account's admins see them. */

/** Names the account a set-aside item was for, so its admins see it. */
export async function attributeSetAside(key: string, accountId: Types.ObjectId): Promise<void> {
  await OutboxModel.updateOne({ _id: key, state: 'failed' }, { $set: { accountId } });
}

export interface SetAsideGroup {
  accountId: string;
  count: number;
  /** Slack's error name of the most recent one, or undefined for our own reasons. */
  slackError?: string;
}

/** Per account of `accountIds`: how many are set aside, and the latest cause. */
export async function setAsideByAccount(accountIds: readonly Types.ObjectId[]): Promise<SetAsideGroup[]> {
  const items = await OutboxModel.find({ state: 'failed', accountId: { $in: accountIds } }, { accountId: 1, slackError: 1, updatedAt: 1 })
    .sort({ updatedAt: -1 })
    .lean();
  const groups = new Map<string, SetAsideGroup>();
  for (const item of items) {
    const accountId = String(item.accountId);
    const group = groups.get(accountId);
    if (group) group.count++;
    else groups.set(accountId, { accountId, count: 1, ...(item.slackError ? { slackError: item.slackError } : {}) });
  }
  return [...groups.values()];
}

/** Keys of an account's set-aside items, optionally only those Slack refused with `slackError`. */
export async function setAsideKeys(accountId: Types.ObjectId, slackError?: string): Promise<string[]> {
  const items = await OutboxModel.find({ state: 'failed', accountId, ...(slackError ? { slackError } : {}) }, { _id: 1 }).lean();
  return items.map((item) => item._id);
}
