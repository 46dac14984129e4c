import { isValidObjectId, type Types } from 'mongoose';
import { claimRef, findRef, isDuplicateKey, lookupKey, raiseProgress, readProgress } from './lookups';
import { MessageModel, type Message, type MessageDocument } from './models';

// Every per-request query here filters on `_id` alone: the embedded database
// (FerretDB on SQLite) decodes the whole collection for any other filter.

export type NewMessage = Pick<Message, 'key' | 'accountId' | 'conversationId' | 'direction' | 'type' | 'sentAt' | 'sender'> &
  Partial<Pick<Message, 'wamid' | 'text' | 'content' | 'status' | 'slackChannelId' | 'slackTs'>>;

/**
 * Stores a message once per key. A second insert of the same key (a redelivery,
 * even a concurrent one) returns the stored message with `created: false`.
 */
export async function insertMessage(input: NewMessage): Promise<{ message: MessageDocument; created: boolean }> {
  let message: MessageDocument;
  try {
    message = await MessageModel.create(input);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const ref = await findRef(lookupKey.message(input.key));
    // Without the key, the first insert is still between its two writes (or died there): found by its fields, rarely.
    const existing = (ref && (await MessageModel.findById(ref))) || (await MessageModel.findOne({ key: input.key }));
    if (!existing) throw err;
    await registerMessage(existing);
    return { message: existing, created: false };
  }
  await registerMessage(message);
  return { message, created: true };
}

/** The keys a message is found by: its idempotency key, and its wamid once it has one. */
async function registerMessage(message: MessageDocument): Promise<void> {
  await claimRef(lookupKey.message(message.key), message._id, { isLive });
  if (message.wamid) await claimRef(lookupKey.wamid(message.wamid), message._id, { ...progressInit(message), isLive });
}

const isLive = async (id: Types.ObjectId): Promise<boolean> => (await MessageModel.exists({ _id: id })) !== null;

export async function findMessage(id: string | Types.ObjectId): Promise<MessageDocument | undefined> {
  if (!isValidObjectId(id)) return undefined;
  return (await MessageModel.findById(id)) ?? undefined;
}

export async function findMessageByWamid(accountId: Types.ObjectId, wamid: string): Promise<MessageDocument | undefined> {
  const ref = await findRef(lookupKey.wamid(wamid));
  const message = ref ? await MessageModel.findById(ref) : undefined;
  return message?.accountId.equals(accountId) && message.wamid === wamid ? message : undefined;
}

/** A conversation's full history, oldest first. */
export async function conversationHistory(conversationId: Types.ObjectId): Promise<MessageDocument[]> {
  return MessageModel.find({ conversationId }).sort({ sentAt: 1, _id: 1 });
}

export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';
/** How far an outbound message got; `failed` wins over anything. */
const PROGRESS = ['pending', 'sent', 'delivered', 'read', 'failed'] as const;

function progressOf(status: string | null | undefined): number {
  return Math.max(0, PROGRESS.findIndex((p) => p === status));
}

function progressInit(message: MessageDocument): { progress?: number } {
  return message.direction === 'outbound' ? { progress: progressOf(message.status) } : {};
}

/**
 * Applies a WhatsApp status to our outbound message. Statuses may arrive out of
 * order, so they only move forward (read never becomes delivered); `failed` wins over anything.
 * Returns the updated message, or undefined when nothing changed.
 *
 * The progress lives on the message's `wamid:` lookup and is raised with one `$max`,
 * atomic on MongoDB, which tells exactly one caller per step that it moved it; the status
 * it then writes is re-read and corrected until it matches the progress, so a slower
 * earlier status cannot have the last word. (On FerretDB the `$max` itself reads and
 * replaces, so two statuses of one message within milliseconds may both apply.)
 */
export async function advanceStatus(
  accountId: Types.ObjectId,
  wamid: string,
  status: DeliveryStatus,
  error?: { code: number; title: string; meaning: string },
): Promise<MessageDocument | undefined> {
  const key = lookupKey.wamid(wamid);
  const message = await findMessageByWamid(accountId, wamid);
  if (!message || message.direction !== 'outbound') return undefined;
  const target = progressOf(status);
  const raised = await raiseProgress(key, target);
  if (!raised) return undefined;
  const before = raised.before ?? progressOf(message.status);
  if (before >= target) return undefined;

  let written = target;
  let updated = await MessageModel.findOneAndUpdate({ _id: message._id }, { $set: { status, ...(error ? { error } : {}) } }, { new: true });
  for (let round = 0; updated && round < PROGRESS.length; round++) {
    const now = await readProgress(key);
    const further = now === undefined ? undefined : PROGRESS[now];
    if (now === undefined || now <= written || !further) break;
    // A later status moved on while we wrote: its write may have come before ours.
    written = now;
    updated = await MessageModel.findOneAndUpdate({ _id: message._id }, { $set: { status: further } }, { new: true });
  }
  return updated ?? undefined;
}

export async function setMessageSlackRef(id: Types.ObjectId, channelId: string, ts: string): Promise<void> {
  await MessageModel.updateOne({ _id: id }, { $set: { slackChannelId: channelId, slackTs: ts } });
}

/**
 * WhatsApp accepted our message: it now has a wamid the statuses will refer to.
 * A message is sent from its conversation's outbox lane, one attempt at a time, so the
 * `pending` check by `_id` is not raced. The wamid key comes after the write: a status
 * can only find the message once it is `sent`, and so never be overwritten by it.
 */
export async function markAccepted(id: Types.ObjectId, wamid: string): Promise<MessageDocument | undefined> {
  const message = await MessageModel.findById(id);
  if (message?.status !== 'pending') return undefined;
  const updated = await MessageModel.findOneAndUpdate({ _id: id }, { $set: { wamid, status: 'sent' } }, { new: true });
  if (!updated) return undefined;
  await claimRef(lookupKey.wamid(wamid), id, { progress: progressOf('sent'), isLive });
  return updated;
}

export async function markFailed(id: Types.ObjectId, error: { code: number; title: string; meaning: string }): Promise<void> {
  await MessageModel.updateOne({ _id: id }, { $set: { status: 'failed', error } });
}
