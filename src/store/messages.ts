import { isValidObjectId, type Types } from 'mongoose';
import { isDuplicateKey } from './conversations';
import { MessageModel, type Message, type MessageDocument } from './models';

export type NewMessage = Pick<Message, 'key' | 'accountId' | 'conversationId' | 'direction' | 'type' | 'sentAt' | 'sender'> &
  Partial<Pick<Message, 'wamid' | 'text' | 'content' | 'status' | 'slackChannelId' | 'slackTs'>>;

/**
 * Stores a message once per key. A second insert of the same key (a redelivery,
 * even a concurrent one) returns the stored message with `created: false`.
 */
export async function insertMessage(input: NewMessage): Promise<{ message: MessageDocument; created: boolean }> {
  try {
    return { message: await MessageModel.create(input), created: true };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const existing = await MessageModel.findOne({ key: input.key });
    if (!existing) throw err;
    return { message: existing, created: false };
  }
}

export async function findMessage(id: string | Types.ObjectId): Promise<MessageDocument | undefined> {
  if (!isValidObjectId(id)) return undefined;
  return (await MessageModel.findById(id)) ?? undefined;
}

export async function findMessageByWamid(accountId: Types.ObjectId, wamid: string): Promise<MessageDocument | undefined> {
  return (await MessageModel.findOne({ accountId, wamid })) ?? undefined;
}

/** A conversation's full history, oldest first. */
export async function conversationHistory(conversationId: Types.ObjectId): Promise<MessageDocument[]> {
  return MessageModel.find({ conversationId }).sort({ sentAt: 1, _id: 1 });
}

export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';
const PROGRESS: readonly string[] = ['pending', 'sent', 'delivered', 'read'];

/**
 * Applies a WhatsApp status to our outbound message. Statuses may arrive out of
 * order, so they only move forward (read never becomes delivered); `failed` wins over anything.
 * Returns the updated message, or undefined when nothing changed.
 */
export async function advanceStatus(
  accountId: Types.ObjectId,
  wamid: string,
  status: DeliveryStatus,
  error?: { code: number; title: string; meaning: string },
): Promise<MessageDocument | undefined> {
  const allowedFrom = status === 'failed' ? [...PROGRESS, null] : [...PROGRESS.slice(0, PROGRESS.indexOf(status)), null];
  const updated = await MessageModel.findOneAndUpdate(
    { accountId, wamid, direction: 'outbound', status: { $in: allowedFrom } },
    { $set: { status, ...(error ? { error } : {}) } },
    { new: true },
  );
  return updated ?? undefined;
}

export async function setMessageSlackRef(id: Types.ObjectId, channelId: string, ts: string): Promise<void> {
  await MessageModel.updateOne({ _id: id }, { $set: { slackChannelId: channelId, slackTs: ts } });
}

/** WhatsApp accepted our message: it now has a wamid the statuses will refer to. */
export async function markAccepted(id: Types.ObjectId, wamid: string): Promise<MessageDocument | undefined> {
  return (await MessageModel.findOneAndUpdate({ _id: id, status: 'pending' }, { $set: { wamid, status: 'sent' } }, { new: true })) ?? undefined;
}

export async function markFailed(id: Types.ObjectId, error: { code: number; title: string; meaning: string }): Promise<void> {
  await MessageModel.updateOne({ _id: id }, { $set: { status: 'failed', error } });
}
