import type { mongo, Types } from 'mongoose';
import { driverCollection, isDuplicateKey } from './database';
import { guardedAll } from './guard';
import { recordMetricEvent } from './metrics-events';
import { ConversationModel, SlaClockModel, SlaMarkModel, type Conversation, type SlaClock, type SlaClockDocument } from './models';

/**
 * Queries of the response targets. Like the window's WindowAlert, the SLA sweep reads only the
 * SlaClock documents that are due (by `nextCheckAt`), by `_id` everywhere else.
 */

export interface ClockStart {
  conversationId: Types.ObjectId;
  accountId: Types.ObjectId;
  since: Date;
  target: 'first' | 'next';
  nextCheckAt: Date | undefined;
}

export async function findSlaClock(conversationId: Types.ObjectId | string): Promise<SlaClockDocument | undefined> {
  return (await SlaClockModel.findById(conversationId)) ?? undefined;
}

/** Sets the running targets of these conversations (replacing ones met or made moot), in one write; none where nothing will ever be due. */
export async function putSlaClocks(starts: readonly (ClockStart | undefined)[]): Promise<void> {
  const writes = starts.flatMap((start): mongo.AnyBulkWriteOperation<SlaClock>[] => {
    if (!start) return [];
    const _id = start.conversationId;
    if (!start.nextCheckAt) return [{ deleteOne: { filter: { _id } } }];
    const fields = { accountId: start.accountId, since: start.since, target: start.target, warned: false, breached: false, nextCheckAt: start.nextCheckAt };
    return [{ updateOne: { filter: { _id }, update: { $set: fields, $setOnInsert: { __v: 0 } }, upsert: true } }];
  });
  if (writes.length === 0) return;
  const ids = starts.flatMap((start) => (start ? [`sla-clock:${String(start.conversationId)}`] : []));
  await guardedAll(ids, () => driverCollection(SlaClockModel).bulkWrite(writes, { ordered: false }));
}

/** Clocks with something due, most overdue first (index on nextCheckAt). */
export async function slaClocksDue(now: Date, limit: number): Promise<SlaClockDocument[]> {
  return SlaClockModel.find({ nextCheckAt: { $lte: now } }).sort({ nextCheckAt: 1, _id: 1 }).limit(limit);
}

export interface SlaClockProgress {
  id: Types.ObjectId;
  /** The clock the progress is for: a clock started afresh meanwhile is left alone. */
  since: Date;
  warned: boolean;
  breached: boolean;
  /** Undefined: the clock is done and goes. */
  nextCheckAt: Date | undefined;
}

export async function recordSlaProgress(entries: readonly SlaClockProgress[]): Promise<void> {
  for (const e of entries) {
    if (e.nextCheckAt) {
      await SlaClockModel.updateOne({ _id: e.id, since: e.since }, { $set: { warned: e.warned, breached: e.breached, nextCheckAt: e.nextCheckAt } });
    } else {
      await SlaClockModel.deleteOne({ _id: e.id, since: e.since });
    }
  }
}

/**
 * Claims the posting of a warning for the outbox item `by`: 'mine' when it is this item's (now or
 * on an earlier attempt of it), 'other' when another item already posts it. The unique `_id` decides.
 */
export async function claimWarning(warning: string, by: string): Promise<'mine' | 'other'> {
  try {
    await SlaMarkModel.create({ _id: warning, by });
    return 'mine';
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const mark = await SlaMarkModel.findById(warning);
    return mark?.by === by ? 'mine' : 'other';
  }
}

/** Who posts this warning, if another item claimed it. */
export async function warningClaimedBy(warning: string): Promise<string | undefined> {
  return (await SlaMarkModel.findById(warning))?.by ?? undefined;
}

/**
 * Counts one breach, once per `key` however often its escalation is retried: the breach's metric
 * event (unique by key, timed for the metrics) decides, and the conversation's tally follows it.
 */
export async function countSlaBreach(conversation: Pick<Conversation, 'accountId' | 'assignee'> & { _id: Types.ObjectId }, key: string, at: Date): Promise<boolean> {
  const counted = await recordMetricEvent({ key, kind: 'sla_breach', accountId: conversation.accountId, conversationId: conversation._id, at, ...(conversation.assignee ? { agent: conversation.assignee } : {}) });
  if (counted) await ConversationModel.updateOne({ _id: conversation._id }, { $inc: { slaBreachCount: 1 } });
  return counted;
}
