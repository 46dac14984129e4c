import { LRUCache } from 'lru-cache';
import { isValidObjectId, Types } from 'mongoose';
import { conversationCustomer, customerAt, customerKey, type CustomerIds } from '../domain/customer';
import { firstResponseMs } from '../domain/metrics';
import { nextAlertAt, windowMoves, type WindowMove } from '../domain/window';
import { Batcher } from './batcher';
import { driverCollection, isDuplicateKey } from './database';
import { claimRef, findRef, lookupKey, withLock } from './lookups';
import { recordMetricEvent } from './metrics-events';
import { ConversationModel, type Conversation, type ConversationDocument } from './models';
import { deleteWindowAlert, putWindowAlert, setWindowAlertThread } from './windows';

// Every per-request query here filters on `_id` alone: the embedded database
// (FerretDB on SQLite) decodes the whole collection for any other filter.

export async function findConversation(id: string | Types.ObjectId): Promise<ConversationDocument | undefined> {
  if (!isValidObjectId(id)) return undefined;
  // Read by the driver and made a document by `hydrate`, as `findById` does: its query machinery costs up to
  // as much CPU again as the read, and conversations are read on every message and every post.
  const found = await readConversation(new Types.ObjectId(id));
  return found && ConversationModel.hydrate(found);
}

type StoredConversation = Conversation & { _id: Types.ObjectId };

// Concurrent readers (customers ingested side by side) share one read: the embedded database answers `$in` on `_id` from its index.
const reads = new Batcher<Types.ObjectId, StoredConversation | undefined>(async (ids) => {
  const found = new Map((await conversations().find({ _id: { $in: ids } }).toArray()).map((c) => [String(c._id), c]));
  return ids.map((id) => found.get(String(id)));
});

/** The stored conversation as it is, for reads whose result is never saved back. */
async function readConversation(id: Types.ObjectId): Promise<StoredConversation | undefined> {
  return reads.add(id);
}

function conversations() {
  return driverCollection<Conversation>(ConversationModel);
}

const isLive = async (id: Types.ObjectId): Promise<boolean> => (await ConversationModel.exists({ _id: id })) !== null;

/**
 * What keys named when last read. A key names one conversation for as long as it exists
 * (it moves only when that one was deleted), so a remembered id that still finds its
 * conversation is right, and saves reading the key on every message of a customer.
 */
const named = new LRUCache<string, Types.ObjectId>({ max: 100_000 });

async function findByKey(key: string): Promise<ConversationDocument | undefined> {
  const remembered = named.get(key);
  const hit = remembered && (await findConversation(remembered));
  if (hit) return hit;
  named.delete(key);
  const ref = await findRef(key);
  const found = ref && (await findConversation(ref));
  if (!found) return undefined;
  named.set(key, found._id);
  return found;
}

/** The conversation whose Slack thread this is, if any. */
export async function findConversationByThread(channelId: string, threadTs: string): Promise<ConversationDocument | undefined> {
  const conversation = await findByKey(lookupKey.thread(channelId, threadTs));
  return conversation?.channelId === channelId && conversation.threadTs === threadTs ? conversation : undefined;
}

/** The conversation of the customer with this number or BSUID. */
export async function findConversationByCustomer(accountId: Types.ObjectId, address: string): Promise<ConversationDocument | undefined> {
  return findByKey(lookupKey.conversation(accountId, address));
}

/** The identifiers a customer's conversation is found by. */
function identifiers(customer: CustomerIds): string[] {
  return [customer.userId, customer.phone].filter((id): id is string => id !== undefined);
}

/** What `linkCustomer` may change: the customer's identifiers and names. */
export type CustomerField = 'phone' | 'userId' | 'parentUserId' | 'username' | 'profileName';

interface CustomerInput {
  accountId: Types.ObjectId;
  customer: CustomerIds;
  /** Identifiers the customer had before a change Meta announced: the conversation is found by them first. */
  formerly?: readonly string[];
  profileName?: string;
  channelId: string;
}

/**
 * The conversation of this customer with this account, found by any of their identifiers
 * (BSUID, number) and created on first contact; what the customer brings that is new (a number
 * shared, a BSUID, a username, a name) is stored and linked (see `linkCustomer`). Two deliveries
 * racing to create it both end up with the same document.
 */
export async function upsertConversation(input: CustomerInput): Promise<ConversationDocument> {
  return (await linkCustomer(await conversationOf(input), input.customer, input.profileName)).conversation;
}

/** `upsertConversation` without storing what is new: for callers that want to know what changed. */
export async function conversationOf(input: CustomerInput): Promise<ConversationDocument> {
  for (const id of [...(input.formerly ?? []), ...identifiers(input.customer)]) {
    const found = await findByKey(lookupKey.conversation(input.accountId, id));
    if (found) return found;
  }
  const waId = customerKey(input.customer);
  if (!waId) throw new TypeError('a customer needs a phone number or a BSUID');
  return createConversation({ accountId: input.accountId, waId, profileName: input.profileName, channelId: input.channelId }, lookupKey.conversation(input.accountId, waId));
}

/**
 * Stores the customer's identifiers and names that changed, and points each new identifier at
 * the conversation: a customer first seen by number and later by BSUID alone (or the other way
 * round, or after a new number) stays in it. An identifier that already names another
 * conversation is left to it: the two were separate before anything linked them.
 */
export async function linkCustomer(
  conversation: ConversationDocument,
  customer: CustomerIds,
  profileName?: string,
): Promise<{ conversation: ConversationDocument; changed: CustomerField[] }> {
  const known = conversationCustomer(conversation);
  const changed: Partial<Record<CustomerField, string>> = {};
  if (customer.phone && customer.phone !== known.phone) changed.phone = customer.phone;
  if (customer.userId && customer.userId !== known.userId) changed.userId = customer.userId;
  if (customer.parentUserId && customer.parentUserId !== known.parentUserId) changed.parentUserId = customer.parentUserId;
  if (customer.username && customer.username !== known.username) changed.username = customer.username;
  if (profileName && profileName !== conversation.profileName) changed.profileName = profileName;
  const fields = Object.keys(changed).filter((f): f is CustomerField => f in changed);
  if (fields.length === 0) return { conversation, changed: [] };
  // The keys first: if we stop before the write, the redelivery finds the conversation and writes it.
  for (const id of identifiers({ phone: changed.phone, userId: changed.userId })) {
    const key = lookupKey.conversation(conversation.accountId, id);
    const { ref } = await claimRef(key, conversation._id, { isLive });
    if (ref.equals(conversation._id)) named.set(key, conversation._id);
  }
  // Under the conversation's write lock: on FerretDB an update writes the whole document back (see `writeLock`).
  await withLock(writeLock(conversation._id), () => ConversationModel.updateOne({ _id: conversation._id }, { $set: changed }));
  conversation.set(changed);
  return { conversation, changed: fields };
}

async function createConversation(
  input: { accountId: Types.ObjectId; waId: string; profileName?: string; channelId: string },
  key: string,
): Promise<ConversationDocument> {
  let created: ConversationDocument;
  try {
    created = await ConversationModel.create({
      accountId: input.accountId,
      waId: input.waId,
      ...customerAt(input.waId),
      channelId: input.channelId,
      ...(input.profileName ? { profileName: input.profileName } : {}),
    });
  } catch (err) {
    // The unique index on {accountId, waId} stopped us: the winner may not have claimed
    // its key yet (or died before it did), so it is found by its fields, once, and the key repaired.
    if (!isDuplicateKey(err)) throw err;
    const existing = (await findByKey(key)) ?? (await ConversationModel.findOne({ accountId: input.accountId, waId: input.waId }));
    if (!existing) throw err;
    const { ref } = await claimRef(key, existing._id, { isLive });
    return ref.equals(existing._id) ? existing : ((await findConversation(ref)) ?? existing);
  }
  const { ref } = await claimRef(key, created._id, { isLive });
  if (ref.equals(created._id)) {
    // The key names it now: the customer's next message need not read the key.
    named.set(key, created._id);
    return created;
  }
  // Without the unique index (it is being built, say) another request's conversation won the key: ours goes.
  await ConversationModel.deleteOne({ _id: created._id });
  const winner = await findConversation(ref);
  if (!winner) throw new Error(`conversation ${String(ref)} of key ${key} is missing`);
  return winner;
}

export interface InboundRecorded {
  /** The window moved forward because of this message. */
  moved: boolean;
  /** The customer wrote after the previous window had closed (and a thread exists). */
  reopened: boolean;
  conversation: ConversationDocument;
}

export interface Inbound {
  at: Date;
  preview: string;
}

/** One inbound message's `recordInbounds`. */
export async function recordInbound(conversation: ConversationDocument, inbound: Inbound, warnMinutes: readonly number[]): Promise<InboundRecorded> {
  const { moves, conversation: after } = await recordInbounds(conversation, [inbound], warnMinutes);
  return { moved: moves[0]?.moved ?? false, reopened: moves[0]?.reopened ?? false, conversation: after };
}

/**
 * Moves the window to each inbound message's own timestamp + 24 h, in turn, unless a later
 * message already set it further: late and out-of-order deliveries never move it back. One
 * customer's messages are recorded together, in one write. A moved window starts afresh for
 * the expiry alerts (its WindowAlert document is replaced).
 *
 * Moves of one conversation's window take turns under a lock (a lookup insert, atomic
 * everywhere) and re-read the conversation by `_id` inside it: FerretDB has no conditional
 * updates (each update reads, then replaces the whole document), so a guard in the filter
 * would not hold there, and would cost a scan of every conversation. The write also
 * raises with `$max`, so on MongoDB the window cannot move back even without the lock.
 * Storing the thread, recording a reply and linking the customer's identifiers take the same
 * turns (see `writeLock`).
 */
export async function recordInbounds(
  conversation: ConversationDocument,
  inbounds: readonly Inbound[],
  warnMinutes: readonly number[],
): Promise<{ moves: WindowMove[]; conversation: ConversationDocument }> {
  const unmoved = (after: ConversationDocument) => ({ moves: inbounds.map(() => ({ moved: false, reopened: false })), conversation: after });
  const ats = inbounds.map((i) => i.at);
  if (!windowMoves(conversation.windowClosesAt ?? undefined, ats).moves.some((m) => m.moved)) return unmoved(conversation);

  return withLock(writeLock(conversation._id), async () => {
    const fresh = await readConversation(conversation._id);
    if (!fresh) return unmoved(conversation);
    const { moves, closesAt } = windowMoves(fresh.windowClosesAt ?? undefined, ats);
    const lastMoved = inbounds.filter((_, n) => moves[n]?.moved).at(-1);
    if (!closesAt || !lastMoved) return unmoved(ConversationModel.hydrate(fresh));

    const lastReplyAt = fresh.lastReplyAt ?? undefined;
    const answered = lastReplyAt !== undefined && lastReplyAt.getTime() >= lastMoved.at.getTime();
    // The new window starts afresh for the sweep. Its alert document is written first: if we stop
    // before the conversation moves, Meta redelivers (nothing was acknowledged) and both are written again.
    const alertAt = nextAlertAt({ closesAt, warnMinutes, alreadyWarned: [], closedNotified: false, answeredAfterLastInbound: answered });
    await putWindowAlert(fresh, closesAt, { warnedThresholds: [], closedNotified: false, nextAlertAt: alertAt });
    // The driver's own update, with the `updatedAt` mongoose's timestamps would add: its casting and query machinery cost about as much CPU again.
    const updated = await conversations().findOneAndUpdate(
      { _id: fresh._id },
      // `openedAt`: the round begins with the customer's first message (a resolved one begins again, src/store/inbox.ts).
      {
        $max: { windowClosesAt: closesAt, lastInboundAt: lastMoved.at },
        $min: { openedAt: new Date(Math.min(...ats.map((a) => a.getTime()))) },
        $set: { lastInboundPreview: lastMoved.preview, updatedAt: new Date() },
      },
      { returnDocument: 'after' },
    );
    if (!updated) return unmoved(ConversationModel.hydrate(fresh));
    // Reopened only where there is a thread to say so in.
    return { moves: moves.map((m) => ({ moved: m.moved, reopened: m.reopened && Boolean(updated.threadTs) })), conversation: ConversationModel.hydrate(updated) };
  });
}

/** An agent's message reached WhatsApp: the conversation counts as answered if it came after the last inbound one. */
export async function recordReply(conversationId: Types.ObjectId, at: Date, by: string): Promise<void> {
  await withLock(writeLock(conversationId), async () => {
    const conversation = await ConversationModel.findById(conversationId);
    if (!conversation) return;
    const lastInboundAt = conversation.lastInboundAt ?? undefined;
    const answered = lastInboundAt === undefined || at.getTime() >= lastInboundAt.getTime();
    // The round's first reply is its first response (src/domain/metrics.ts), kept for the metrics.
    const waited = by ? firstResponseMs(conversation, at) : undefined;
    const first = waited !== undefined ? { firstResponseAt: at, firstResponseMs: waited } : {};
    await ConversationModel.updateOne({ _id: conversationId }, { $set: { lastReplyAt: at, lastReplyBy: by, ...first } });
    if (answered) await deleteWindowAlert(conversationId);
    if (waited !== undefined && conversation.openedAt) {
      const key = `${String(conversationId)}:${conversation.openedAt.getTime()}`;
      await recordMetricEvent({ key, kind: 'first_response', accountId: conversation.accountId, conversationId, at, agent: by, ms: waited });
    }
  });
}

/**
 * Writers of one conversation take turns: FerretDB applies an update by reading the whole
 * document and writing it back, so a window move racing the thread being stored (ingest and
 * the outbox run side by side) could write back a conversation without its thread, and the
 * next post would open a second one.
 */
function writeLock(conversationId: Types.ObjectId): string {
  return `conversation:${String(conversationId)}`;
}

/** Runs `fn` in the conversation's writers' turn (see `writeLock`): for other store modules writing it. */
export function withConversationLock<T>(conversationId: Types.ObjectId, fn: () => Promise<T>): Promise<T> {
  return withLock(writeLock(conversationId), fn);
}

/**
 * Stores the thread root once; returns the root already stored if there is one.
 * Threads are opened only from the conversation's own outbox lane, one item at a time,
 * so no second root races this one and a check by `_id` suffices.
 */
export async function setThread(conversationId: Types.ObjectId, channelId: string, threadTs: string): Promise<string> {
  return withLock(writeLock(conversationId), async () => {
    const conversation = await ConversationModel.findById(conversationId);
    if (!conversation) return threadTs;
    if (conversation.threadTs) return conversation.threadTs;
    // The key first: if we stop between, the retry posts another root and this key points
    // at a conversation whose thread is not this one, which findConversationByThread checks.
    await claimRef(lookupKey.thread(channelId, threadTs), conversationId, { isLive });
    await ConversationModel.updateOne({ _id: conversationId }, { $set: { channelId, threadTs } });
    await setWindowAlertThread(conversationId, channelId, threadTs);
    return threadTs;
  });
}

/**
 * Records the customer's marketing preference unless a newer one is stored: Meta's time decides, so
 * a delivery arriving late cannot undo a later choice. True when the stored preference changed.
 */
export async function recordMarketingPreference(conversationId: Types.ObjectId, value: string, at: Date): Promise<boolean> {
  return withLock(writeLock(conversationId), async () => {
    const fresh = await readConversation(conversationId);
    if (!fresh) return false;
    const storedAt = fresh.marketingPreferenceAt ?? undefined;
    if (storedAt && storedAt.getTime() >= at.getTime()) return false;
    await ConversationModel.updateOne({ _id: conversationId }, { $set: { marketingPreference: value, marketingPreferenceAt: at } });
    return fresh.marketingPreference !== value;
  });
}
