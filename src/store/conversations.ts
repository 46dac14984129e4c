import { isValidObjectId, type Types } from 'mongoose';
import { groupBy } from '../collections';
import { conversationCustomer, customerAt, customerKey, isBsuid, type CustomerIds } from '../domain/customer';
import { firstResponseMs } from '../domain/metrics';
import { nextAlertAt, windowMoves, type WindowMove } from '../domain/window';
import { driverCollection, isDuplicateKey, refusedAsDuplicates } from './database';
import { guarded, guardedAll } from './guard';
import { recordMetricEvent } from './metrics-events';
import { ConversationModel, type ConversationDocument } from './models';
import { deleteWindowAlert, putWindowAlerts, setWindowAlertThread } from './windows';

export async function findConversation(id: string | Types.ObjectId): Promise<ConversationDocument | undefined> {
  if (!isValidObjectId(id)) return undefined;
  return (await ConversationModel.findById(id).lean()) ?? undefined;
}

/** These conversations, by id, with only the fields named (`{ status: 1, … }`) or whole; ids that name none are left out. */
export async function findConversations(ids: readonly (string | Types.ObjectId)[], fields?: Record<string, 1>): Promise<ConversationDocument[]> {
  return ConversationModel.find({ _id: { $in: ids.filter((id) => isValidObjectId(id)) } }, fields).lean();
}

/** The conversation whose Slack thread this is, if any. */
export async function findConversationByThread(channelId: string, threadTs: string): Promise<ConversationDocument | undefined> {
  return (await ConversationModel.findOne({ channelId, threadTs }).lean()) ?? undefined;
}

/**
 * The conversation of the customer with this number or BSUID: the one first seen by it, else the
 * earliest that learnt it since (an identifier that named one conversation first stays with it).
 */
export async function findConversationByCustomer(accountId: Types.ObjectId, address: string): Promise<ConversationDocument | undefined> {
  const byKey = await ConversationModel.findOne({ accountId, waId: address }).lean();
  if (byKey) return byKey;
  const learnt = isBsuid(address) ? { accountId, userId: address } : { accountId, phone: address };
  return (await ConversationModel.findOne(learnt).sort({ _id: 1 }).lean()) ?? undefined;
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
 * shared, a BSUID, a username, a name) is stored (see `linkCustomer`). Deliveries racing to
 * create it end up with the same document: the unique index on `{ accountId, waId }` lets one in.
 */
export async function upsertConversation(input: CustomerInput): Promise<ConversationDocument> {
  return (await linkCustomer(await conversationOf(input), input.customer, input.profileName)).conversation;
}

/** `upsertConversation` without storing what is new: for callers that want to know what changed. */
export async function conversationOf(input: CustomerInput): Promise<ConversationDocument> {
  for (const id of [...(input.formerly ?? []), ...identifiers(input.customer)]) {
    const found = await findConversationByCustomer(input.accountId, id);
    if (found) return found;
  }
  const waId = customerKey(input.customer);
  if (!waId) throw new TypeError('a customer needs a phone number or a BSUID');
  try {
    const created = await ConversationModel.create({
      accountId: input.accountId,
      waId,
      ...customerAt(waId),
      channelId: input.channelId,
      ...(input.profileName ? { profileName: input.profileName } : {}),
    });
    return created.toObject();
  } catch (err) {
    const winner = isDuplicateKey(err) ? await ConversationModel.findOne({ accountId: input.accountId, waId }).lean() : undefined;
    if (!winner) throw err;
    return winner;
  }
}

/**
 * `conversationOf` for many customers of one account: found with one read by the identifiers they
 * were first seen by, then one by those learnt since (in `conversationOf`'s order), the rest one by one.
 */
export async function conversationsOf(inputs: readonly CustomerInput[]): Promise<ConversationDocument[]> {
  const byAccount = groupBy(inputs, (input) => String(input.accountId));
  const found = new Map<CustomerInput, ConversationDocument>();
  for (const group of byAccount.values()) {
    const accountId = group[0]?.accountId;
    // Customers who changed number or BSUID are found by the former ones first: one by one, as they are rare.
    const plain = group.filter((input) => !input.formerly?.length);
    if (!accountId || plain.length === 0) continue;
    const ids = [...new Set(plain.flatMap((input) => identifiers(input.customer)))];
    const byWaId = new Map((await ConversationModel.find({ accountId, waId: { $in: ids } }).lean()).map((c) => [c.waId, c]));
    const unfound = ids.filter((id) => !byWaId.has(id));
    const learnt = new Map<string, ConversationDocument>();
    const bsuids = unfound.filter(isBsuid);
    const phones = unfound.filter((id) => !isBsuid(id));
    // Sorted by `_id` descending, so the earliest to learn an identifier is the one kept.
    if (bsuids.length > 0) for (const c of await ConversationModel.find({ accountId, userId: { $in: bsuids } }).sort({ _id: -1 }).lean()) if (c.userId) learnt.set(c.userId, c);
    if (phones.length > 0) for (const c of await ConversationModel.find({ accountId, phone: { $in: phones } }).sort({ _id: -1 }).lean()) if (c.phone) learnt.set(c.phone, c);
    for (const input of plain) {
      const conversation = identifiers(input.customer).map((id) => byWaId.get(id) ?? learnt.get(id)).find((c) => c !== undefined);
      if (conversation) found.set(input, conversation);
    }
  }
  await createConversations(inputs.filter((input) => !found.has(input) && !input.formerly?.length), found);
  const result: ConversationDocument[] = [];
  for (const input of inputs) result.push(found.get(input) ?? (await conversationOf(input)));
  return result;
}

/**
 * Creates, in one insert, the conversations of customers found nowhere (see `conversationsOf`), into
 * `found`. Customers sharing an identifier are left to `conversationOf`, one after the other, so that
 * they end up in one conversation; one that a concurrent writer created first is read back.
 */
async function createConversations(missing: readonly CustomerInput[], found: Map<CustomerInput, ConversationDocument>): Promise<void> {
  const counts = new Map<string, number>();
  for (const id of missing.flatMap((input) => identifiers(input.customer))) counts.set(id, (counts.get(id) ?? 0) + 1);
  const alone = missing.filter((input) => identifiers(input.customer).every((id) => counts.get(id) === 1) && customerKey(input.customer));
  if (alone.length === 0) return;
  const docs = alone.map((input) => {
    const waId = customerKey(input.customer);
    return new ConversationModel({ accountId: input.accountId, waId, ...customerAt(waId), channelId: input.channelId, ...(input.profileName ? { profileName: input.profileName } : {}) });
  });
  const refused = await refusedAsDuplicates(ConversationModel.insertMany(docs, { ordered: false, throwOnValidationError: true }));
  alone.forEach((input, n) => {
    const doc = docs[n];
    if (doc && !refused.has(n)) found.set(input, doc.toObject());
  });
}

/**
 * Stores the customer's identifiers and names that changed: a customer first seen by number and
 * later by BSUID alone (or the other way round, or after a new number) stays in their conversation.
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
  await writingConversation(conversation._id, () => ConversationModel.updateOne({ _id: conversation._id }, { $set: changed }));
  return { conversation: { ...conversation, ...changed }, changed: fields };
}

export interface Inbound {
  at: Date;
  preview: string;
}

export interface InboundRun {
  conversation: ConversationDocument;
  inbounds: readonly Inbound[];
}

/**
 * Moves each conversation's window to each inbound message's own timestamp + 24 h, in turn, unless
 * a later message already set it further: late and out-of-order deliveries never move it back
 * (`$max`). Many conversations are recorded together: one write of their alerts and one of their
 * windows (and a read back, should a concurrent writer have moved one further). A moved window
 * starts afresh for the expiry alerts (its WindowAlert is replaced), written first: if we stop
 * before the conversation moves, Meta redelivers (nothing was acknowledged) and both are written again.
 */
export async function recordInbounds(runs: readonly InboundRun[], warnMinutes: readonly number[]): Promise<{ moves: WindowMove[]; conversation: ConversationDocument }[]> {
  const planned = runs.map(({ conversation, inbounds }) => {
    const ats = inbounds.map((i) => i.at);
    const { moves, closesAt } = windowMoves(conversation.windowClosesAt ?? undefined, ats);
    const lastMoved = inbounds.filter((_, n) => moves[n]?.moved).at(-1);
    // `firstAt`, the earliest message, opens the round if none is open.
    return { conversation, moves, move: closesAt && lastMoved ? { closesAt, lastMoved, firstAt: Math.min(...ats.map((a) => a.getTime())) } : undefined };
  });
  const moving = planned.flatMap(({ conversation, move }) => (move ? [{ conversation, ...move }] : []));
  const after = new Map<string, ConversationDocument>();
  if (moving.length > 0) {
    await putWindowAlerts(
      moving.map(({ conversation, closesAt, lastMoved }) => {
        const lastReplyAt = conversation.lastReplyAt ?? undefined;
        const answered = lastReplyAt !== undefined && lastReplyAt.getTime() >= lastMoved.at.getTime();
        return { conversation, closesAt, progress: { warnedThresholds: [], closedNotified: false, nextAlertAt: nextAlertAt({ closesAt, warnMinutes, alreadyWarned: [], closedNotified: false, answeredAfterLastInbound: answered }) } };
      }),
    );
    const ids = moving.map(({ conversation }) => conversation._id);
    // Each window moves only if no concurrent writer moved it as far already; the stored close says whose move it was.
    // `openedAt`: the round begins with the customer's first message (a resolved one begins again, src/store/inbox.ts).
    const now = new Date();
    const written = await writingConversations(ids, () =>
      driverCollection(ConversationModel).bulkWrite(
        moving.map(({ conversation, closesAt, lastMoved, firstAt }) => ({
          updateOne: {
            filter: { _id: conversation._id, $or: [{ windowClosesAt: null }, { windowClosesAt: { $lt: closesAt } }] },
            update: {
              $max: { windowClosesAt: closesAt, lastInboundAt: lastMoved.at },
              $min: { openedAt: new Date(firstAt) },
              $set: { lastInboundPreview: lastMoved.preview, updatedAt: now },
            },
          },
        })),
        { ordered: false },
      ),
    );
    if (written.matchedCount === moving.length) {
      // Every window moved as planned: the conversations as read, with the move applied, are as stored.
      for (const { conversation, closesAt, lastMoved, firstAt } of moving) {
        const openedAt = Math.min(firstAt, conversation.openedAt?.getTime() ?? Infinity);
        const lastInboundAt = Math.max(lastMoved.at.getTime(), conversation.lastInboundAt?.getTime() ?? 0);
        after.set(String(conversation._id), { ...conversation, windowClosesAt: closesAt, lastInboundAt: new Date(lastInboundAt), openedAt: new Date(openedAt), lastInboundPreview: lastMoved.preview, updatedAt: now });
      }
    } else for (const c of await ConversationModel.find({ _id: { $in: ids } }).lean()) after.set(String(c._id), c);
  }
  return planned.map(({ conversation, moves, move }) => {
    const stored = after.get(String(conversation._id));
    const moved = move !== undefined && stored !== undefined && stored.windowClosesAt?.getTime() === move.closesAt.getTime();
    // Reopened only where there is a thread to say so in.
    const shown = moves.map((m) => ({ moved: moved && m.moved, reopened: moved && m.reopened && Boolean(stored?.threadTs) }));
    return { moves: shown, conversation: stored ?? conversation };
  });
}

/** An agent's message reached WhatsApp: the conversation counts as answered if it came after the last inbound one. */
export async function recordReply(conversationId: Types.ObjectId, at: Date, by: string): Promise<void> {
  const before = await writingConversation(conversationId, () =>
    ConversationModel.findOneAndUpdate({ _id: conversationId }, { $set: { lastReplyAt: at, lastReplyBy: by } }),
  );
  if (!before) return;
  const lastInboundAt = before.lastInboundAt ?? undefined;
  if (lastInboundAt === undefined || at.getTime() >= lastInboundAt.getTime()) await deleteWindowAlert(conversationId);
  // The round's first reply is its first response (src/domain/metrics.ts), kept for the metrics: once a round, the guard decides.
  const waited = by ? firstResponseMs(before, at) : undefined;
  if (waited === undefined || !before.openedAt) return;
  const first = await writingConversation(conversationId, () =>
    ConversationModel.updateOne({ _id: conversationId, openedAt: before.openedAt, firstResponseAt: null }, { $set: { firstResponseAt: at, firstResponseMs: waited } }),
  );
  if (first.modifiedCount === 0) return;
  const key = `${String(conversationId)}:${before.openedAt.getTime()}`;
  await recordMetricEvent({ key, kind: 'first_response', accountId: before.accountId, conversationId, at, agent: by, ms: waited });
}

/**
 * Runs `write`, a write of the conversation, in turn with the process's other writes of it where
 * the server needs that (see `guarded`): for the store modules writing conversations.
 */
export function writingConversation<T>(conversationId: Types.ObjectId, write: () => Promise<T>): Promise<T> {
  return guarded(conversationGuard(conversationId), write);
}

function writingConversations<T>(ids: readonly Types.ObjectId[], write: () => Promise<T>): Promise<T> {
  return guardedAll(ids.map(conversationGuard), write);
}

const conversationGuard = (id: Types.ObjectId) => `conversation:${String(id)}`;

/**
 * Stores the thread root once; returns the root already stored if there is one. The guard on
 * `threadTs` decides between two posts racing to open it.
 */
export async function setThread(conversationId: Types.ObjectId, channelId: string, threadTs: string): Promise<string> {
  const opened = await writingConversation(conversationId, () =>
    ConversationModel.findOneAndUpdate({ _id: conversationId, threadTs: null }, { $set: { channelId, threadTs } }, { returnDocument: 'after' }),
  );
  if (!opened) return (await findConversation(conversationId))?.threadTs ?? threadTs;
  await setWindowAlertThread(conversationId, channelId, threadTs);
  return threadTs;
}

/**
 * Records the customer's marketing preference unless a newer one is stored: Meta's time decides, so
 * a delivery arriving late cannot undo a later choice. True when the stored preference changed.
 */
export async function recordMarketingPreference(conversationId: Types.ObjectId, value: string, at: Date): Promise<boolean> {
  const before = await writingConversation(conversationId, () =>
    ConversationModel.findOneAndUpdate(
      { _id: conversationId, $or: [{ marketingPreferenceAt: null }, { marketingPreferenceAt: { $lt: at } }] },
      { $set: { marketingPreference: value, marketingPreferenceAt: at } },
    ),
  );
  return before !== null && before.marketingPreference !== value;
}
