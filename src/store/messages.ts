import { isValidObjectId, Types } from 'mongoose';
import { uniqueInserts } from './batcher';
import { driverCollection, storedMixed } from './database';
import { claimRef, findRef, lookupKey, withLock } from './lookups';
import { MessageModel, type Message, type MessageDocument } from './models';

// Every per-request query here filters on `_id` alone: the embedded database
// (FerretDB on SQLite) decodes the whole collection for any other filter.

export type NewMessage = Pick<Message, 'key' | 'accountId' | 'conversationId' | 'direction' | 'type' | 'sentAt'> &
  Partial<Pick<Message, 'wamid' | 'text' | 'content' | 'status' | 'slackChannelId' | 'slackTs'>> & {
    /** Required, as the schema's `sender.kind` and `sender.id` are. */
    sender: NonNullable<Message['sender']>;
  };

/** A message as stored, for callers that save nothing back through a mongoose document. */
export type StoredMessage = Message & { _id: Types.ObjectId };

/**
 * Stores a message once per key. A second insert of the same key (a redelivery,
 * even a concurrent one) returns the stored message with `created: false`.
 */
export async function insertMessage(input: NewMessage): Promise<{ message: StoredMessage; created: boolean }> {
  const message = await storeNew(input);
  if (message) {
    await registerMessage(message);
    return { message, created: true };
  }
  const ref = await findRef(keyLookup(input));
  // Without the key, the first insert is still between its two writes (or died there): found by its fields, rarely.
  const existing = (ref && (await MessageModel.findById(ref))) || (await MessageModel.findOne({ key: input.key }));
  if (!existing) throw new Error(`message ${input.key} is stored but cannot be found`);
  await registerMessage(existing);
  return { message: existing, created: false };
}

// Messages stored by concurrent callers (customers ingested side by side) share one insert.
const inserts = uniqueInserts<StoredMessage>((docs) => messages().insertMany(docs, { ordered: false, ignoreUndefined: true }));

/**
 * Inserts the document `MessageModel.create` would store, by the driver: `create` (building,
 * validating and saving a document) costs about twice the CPU of the insert. The input's types
 * are the schema's (enums and required fields included), so nothing needs casting; what mongoose
 * adds is added here: the version key and timestamps, undefined fields left out (`ignoreUndefined`),
 * `content` as mongoose stores a Mixed value. Undefined when the key was stored before.
 */
async function storeNew(input: NewMessage): Promise<StoredMessage | undefined> {
  const now = new Date();
  const doc = {
    _id: new Types.ObjectId(),
    key: input.key,
    accountId: input.accountId,
    conversationId: input.conversationId,
    direction: input.direction,
    wamid: input.wamid,
    type: input.type,
    text: input.text,
    content: storedMixed(input.content),
    sentAt: input.sentAt,
    sender: { kind: input.sender.kind, id: input.sender.id },
    status: input.status,
    slackChannelId: input.slackChannelId,
    slackTs: input.slackTs,
    createdAt: now,
    updatedAt: now,
    __v: 0,
  };
  return (await inserts.add(doc)) === true ? doc : undefined;
}

function messages() {
  return driverCollection<Message>(MessageModel);
}

/** The keys a message is found by: its idempotency key, and its wamid once it has one. */
async function registerMessage(message: StoredMessage): Promise<void> {
  await claimRef(keyLookup(message), message._id, { isLive });
  if (message.wamid && message.wamid !== message.key) await claimRef(lookupKey.wamid(message.wamid), message._id, { isLive });
}

/** An inbound message's key is its wamid: one lookup serves both, one write fewer per message. */
function keyLookup(message: { key: string; wamid?: string | null }): string {
  return message.wamid === message.key ? lookupKey.wamid(message.key) : lookupKey.message(message.key);
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
const PROGRESS: readonly string[] = ['pending', 'sent', 'delivered', 'read'];

/**
 * Applies a WhatsApp status to our outbound message. Statuses may arrive out of
 * order, so they only move forward (read never becomes delivered); `failed` wins over anything.
 * Returns the updated message, or undefined when nothing changed.
 *
 * Statuses of one message take turns under a lock (a lookup insert, atomic everywhere)
 * and check the stored status by `_id` inside it: a guard in the filter is neither atomic
 * on FerretDB (no conditional updates) nor cheap there (it scans every message).
 */
export async function advanceStatus(
  accountId: Types.ObjectId,
  wamid: string,
  status: DeliveryStatus,
  error?: { code: number; title: string; meaning: string },
): Promise<MessageDocument | undefined> {
  const found = await findMessageByWamid(accountId, wamid);
  if (!found || found.direction !== 'outbound') return undefined;
  const allowedFrom = status === 'failed' ? [...PROGRESS, undefined] : [...PROGRESS.slice(0, PROGRESS.indexOf(status)), undefined];
  return withLock(`status:${String(found._id)}`, async () => {
    const message = await MessageModel.findById(found._id);
    if (!message || !allowedFrom.includes(message.status ?? undefined)) return undefined;
    const updated = await MessageModel.findOneAndUpdate({ _id: message._id }, { $set: { status, ...(error ? { error } : {}) } }, { returnDocument: 'after' });
    return updated ?? undefined;
  });
}

export async function setMessageSlackRef(id: Types.ObjectId, channelId: string, ts: string): Promise<void> {
  await MessageModel.updateOne({ _id: id }, { $set: { slackChannelId: channelId, slackTs: ts } });
}

export async function setMessageSlackFile(id: Types.ObjectId, fileId: string): Promise<void> {
  await MessageModel.updateOne({ _id: id }, { $set: { slackFileId: fileId } });
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
  const updated = await MessageModel.findOneAndUpdate({ _id: id }, { $set: { wamid, status: 'sent' } }, { returnDocument: 'after' });
  if (!updated) return undefined;
  await claimRef(lookupKey.wamid(wamid), id, { isLive });
  return updated;
}

export async function markFailed(id: Types.ObjectId, error: { code: number; title: string; meaning: string }): Promise<void> {
  await MessageModel.updateOne({ _id: id }, { $set: { status: 'failed', error } });
}
