import { isValidObjectId, Types } from 'mongoose';
import { refusedAsDuplicates, storedMixed, withoutUndefined } from './database';
import { guarded, guardedAll } from './guard';
import { MessageModel, type Message, type MessageDocument } from './models';

export type NewMessage = Pick<Message, 'key' | 'accountId' | 'conversationId' | 'direction' | 'type' | 'sentAt'> &
  Partial<Pick<Message, 'wamid' | 'text' | 'content' | 'status' | 'slackChannelId' | 'slackTs'>> & {
    /** Required, as the schema's `sender.kind` and `sender.id` are. */
    sender: NonNullable<Message['sender']>;
  };

/** A message as stored, for callers that save nothing back through a mongoose document. */
export type StoredMessage = Message & { _id: Types.ObjectId };

/**
 * Stores a message once per key (a unique index). A second insert of the same key (a redelivery,
 * even a concurrent one) returns the stored message with `created: false`.
 */
export async function insertMessage(input: NewMessage): Promise<{ message: StoredMessage; created: boolean }> {
  const [inserted] = await insertMessages([input]);
  if (!inserted) throw new Error('no message inserted');
  return inserted;
}

/** `insertMessage` for many messages, in one insert (and one read of those stored before), in their order. */
export async function insertMessages(inputs: readonly NewMessage[]): Promise<{ message: StoredMessage; created: boolean }[]> {
  const now = new Date();
  // Stored as typed here, not through mongoose documents: hydrating and validating each cost more than inserting it.
  const docs: StoredMessage[] = inputs.map((input) =>
    withoutUndefined({ _id: new Types.ObjectId(), ...input, content: storedMixed(input.content), createdAt: now, updatedAt: now, __v: 0 }),
  );
  const refused = await refusedAsDuplicates(MessageModel.insertMany(docs, { ordered: false, lean: true }));
  const keys = docs.filter((_, n) => refused.has(n)).map((d) => d.key);
  const existing = new Map(keys.length > 0 ? (await MessageModel.find({ key: { $in: keys } }).lean()).map((m) => [m.key, m]) : []);
  return docs.map((doc, n) => {
    if (!refused.has(n)) return { message: doc, created: true };
    const message = existing.get(doc.key);
    if (!message) throw new Error(`message ${doc.key} refused as a duplicate but not found`);
    return { message, created: false };
  });
}

/** Writes of one message take turns where the server needs that (see `guarded`). */
function writingMessage<T>(id: Types.ObjectId, write: () => Promise<T>): Promise<T> {
  return guarded(messageGuard(id), write);
}

function messageGuard(id: Types.ObjectId): string {
  return `message:${String(id)}`;
}

export async function findMessage(id: string | Types.ObjectId): Promise<MessageDocument | undefined> {
  if (!isValidObjectId(id)) return undefined;
  return (await MessageModel.findById(id)) ?? undefined;
}

export async function findMessageByWamid(accountId: Types.ObjectId, wamid: string): Promise<MessageDocument | undefined> {
  const message = await MessageModel.findOne({ wamid });
  return message?.accountId.equals(accountId) ? message : undefined;
}

/** A conversation's full history, oldest first. */
export async function conversationHistory(conversationId: Types.ObjectId): Promise<MessageDocument[]> {
  return MessageModel.find({ conversationId }).sort({ sentAt: 1, _id: 1 });
}

export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';
const PROGRESS: readonly NonNullable<Message['status']>[] = ['pending', 'sent', 'delivered', 'read'];
export type StatusError = { code: number; title: string; meaning: string };

/** The stored statuses a message may move to `to` from: statuses only move forward (read never becomes delivered); `failed` wins over anything. */
function movesTo(to: DeliveryStatus): (NonNullable<Message['status']> | null)[] {
  return to === 'failed' ? [...PROGRESS, null] : [...PROGRESS.slice(0, PROGRESS.indexOf(to)), null];
}

/** Whether a message stored with status `from` may move to `to` (see `movesTo`). */
export function statusMoves(from: Message['status'] | null | undefined, to: DeliveryStatus): boolean {
  return movesTo(to).includes(from ?? null);
}

/**
 * Applies a WhatsApp status to our outbound message. Statuses may arrive out of order, so they only
 * move forward. Returns the updated message, or undefined when nothing changed.
 *
 * The guard on the stored status decides between statuses arriving at once.
 */
export async function advanceStatus(accountId: Types.ObjectId, wamid: string, status: DeliveryStatus, error?: StatusError): Promise<MessageDocument | undefined> {
  const found = await findMessageByWamid(accountId, wamid);
  if (!found || found.direction !== 'outbound') return undefined;
  const updated = await writingMessage(found._id, () =>
    MessageModel.findOneAndUpdate({ _id: found._id, status: { $in: movesTo(status) } }, { $set: { status, ...(error ? { error } : {}) } }, { returnDocument: 'after' }),
  );
  return updated ?? undefined;
}

/** Our outbound messages with these wamids, by wamid: one read for a batch of statuses. */
export async function outboundByWamid(wamids: readonly string[]): Promise<Map<string, MessageDocument>> {
  if (wamids.length === 0) return new Map();
  const found = await MessageModel.find({ wamid: { $in: [...new Set(wamids)] }, direction: 'outbound' });
  return new Map(found.flatMap((m) => (m.wamid ? [[m.wamid, m] as const] : [])));
}

export interface StatusMove {
  /** The message as read. */
  message: MessageDocument;
  status: DeliveryStatus;
  error?: StatusError;
}

/**
 * Moves each message to its status in one write, each guarded by the status it was read with.
 * Returns the ids of those another writer moved meanwhile (their guard failed, nothing of theirs was written).
 */
export async function applyStatusMoves(moves: readonly StatusMove[]): Promise<Set<string>> {
  if (moves.length === 0) return new Set();
  const ids = moves.map(({ message }) => message._id);
  const written = await guardedAll(ids.map(messageGuard), () =>
    MessageModel.bulkWrite(
      moves.map(({ message, status, error }) => ({
        updateOne: { filter: { _id: message._id, status: message.status ?? null }, update: { $set: { status, ...(error ? { error } : {}) } } },
      })),
      { ordered: false },
    ),
  );
  if (written.matchedCount === moves.length) return new Set();
  const stored = new Map((await MessageModel.find({ _id: { $in: ids } }, { status: 1 }).lean()).map((m) => [String(m._id), m.status]));
  return new Set(moves.filter(({ message, status }) => stored.get(String(message._id)) !== status).map(({ message }) => String(message._id)));
}

export async function setMessageSlackRef(id: Types.ObjectId, channelId: string, ts: string): Promise<void> {
  await writingMessage(id, () => MessageModel.updateOne({ _id: id }, { $set: { slackChannelId: channelId, slackTs: ts } }));
}

export async function setMessageSlackFile(id: Types.ObjectId, fileId: string): Promise<void> {
  await writingMessage(id, () => MessageModel.updateOne({ _id: id }, { $set: { slackFileId: fileId } }));
}

/** WhatsApp accepted our message: it now has a wamid the statuses will refer to. Only a pending message is marked sent. */
export async function markAccepted(id: Types.ObjectId, wamid: string): Promise<MessageDocument | undefined> {
  const updated = await writingMessage(id, () => MessageModel.findOneAndUpdate({ _id: id, status: 'pending' }, { $set: { wamid, status: 'sent' } }, { returnDocument: 'after' }));
  return updated ?? undefined;
}

export async function markFailed(id: Types.ObjectId, error: StatusError): Promise<void> {
  await writingMessage(id, () => MessageModel.updateOne({ _id: id }, { $set: { status: 'failed', error } }));
}
