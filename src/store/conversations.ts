import { isValidObjectId, type Types } from 'mongoose';
import { nextAlertAt, nextWindowCloseAt } from '../domain/window';
import { ConversationModel, type ConversationDocument } from './models';

/** Mongo's duplicate-key error (FerretDB answers the same code). */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 11000;
}

export async function findConversation(id: string | Types.ObjectId): Promise<ConversationDocument | undefined> {
  if (!isValidObjectId(id)) return undefined;
  return (await ConversationModel.findById(id)) ?? undefined;
}

/** The conversation whose Slack thread this is, if any. */
export async function findConversationByThread(channelId: string, threadTs: string): Promise<ConversationDocument | undefined> {
  return (await ConversationModel.findOne({ channelId, threadTs })) ?? undefined;
}

export async function findConversationByCustomer(accountId: Types.ObjectId, waId: string): Promise<ConversationDocument | undefined> {
  return (await ConversationModel.findOne({ accountId, waId })) ?? undefined;
}

/**
 * The conversation of this customer with this account, created on first contact.
 * Two deliveries racing to create it both end up with the same document.
 */
export async function upsertConversation(input: {
  accountId: Types.ObjectId;
  waId: string;
  profileName?: string;
  channelId: string;
}): Promise<ConversationDocument> {
  const filter = { accountId: input.accountId, waId: input.waId };
  const update = {
    $setOnInsert: { channelId: input.channelId },
    ...(input.profileName ? { $set: { profileName: input.profileName } } : {}),
  };
  for (let attempt = 0; ; attempt++) {
    try {
      const doc = await ConversationModel.findOneAndUpdate(filter, update, { upsert: true, new: true });
      if (doc) return doc;
    } catch (err) {
      // The loser of a concurrent upsert hits the unique index; the document exists now.
      if (!isDuplicateKey(err) || attempt >= 2) throw err;
    }
  }
}

export interface InboundRecorded {
  /** The window moved forward because of this message. */
  moved: boolean;
  /** The customer wrote after the previous window had closed (and a thread exists). */
  reopened: boolean;
  conversation: ConversationDocument;
}

/**
 * Moves the window to this inbound message's own timestamp + 24 h unless a later
 * message already set it further: late and out-of-order deliveries never move it back.
 * A moved window starts afresh for the expiry alerts.
 */
export async function recordInbound(
  conversation: ConversationDocument,
  inbound: { at: Date; preview: string },
  warnMinutes: readonly number[],
): Promise<InboundRecorded> {
  const current = conversation.windowClosesAt ?? undefined;
  const closesAt = nextWindowCloseAt(current, inbound.at);
  if (current && closesAt.getTime() === current.getTime()) return { moved: false, reopened: false, conversation };

  const lastReplyAt = conversation.lastReplyAt ?? undefined;
  const answered = lastReplyAt !== undefined && lastReplyAt.getTime() >= inbound.at.getTime();
  const alertAt = nextAlertAt({ closesAt, warnMinutes, alreadyWarned: [], closedNotified: false, answeredAfterLastInbound: answered });
  const updated = await ConversationModel.findOneAndUpdate(
    {
      _id: conversation._id,
      // Guards against a concurrent later message having moved it further meanwhile.
      $or: [{ windowClosesAt: { $exists: false } }, { windowClosesAt: null }, { windowClosesAt: { $lt: closesAt } }],
    },
    {
      $set: {
        windowClosesAt: closesAt,
        lastInboundAt: inbound.at,
        lastInboundPreview: inbound.preview,
        warnedThresholds: [],
        closedNotified: false,
        ...(alertAt ? { nextAlertAt: alertAt } : {}),
      },
      ...(alertAt ? {} : { $unset: { nextAlertAt: 1 } }),
    },
    { new: true },
  );
  if (!updated) return { moved: false, reopened: false, conversation: (await findConversation(conversation._id)) ?? conversation };
  const reopened = current !== undefined && current.getTime() <= inbound.at.getTime() && Boolean(updated.threadTs);
  return { moved: true, reopened, conversation: updated };
}

/** An agent's message reached WhatsApp: the conversation counts as answered if it came after the last inbound one. */
export async function recordReply(conversationId: Types.ObjectId, at: Date, by: string): Promise<void> {
  const conversation = await ConversationModel.findById(conversationId);
  if (!conversation) return;
  const lastInboundAt = conversation.lastInboundAt ?? undefined;
  const answered = lastInboundAt === undefined || at.getTime() >= lastInboundAt.getTime();
  await ConversationModel.updateOne(
    { _id: conversationId },
    { $set: { lastReplyAt: at, lastReplyBy: by }, ...(answered ? { $unset: { nextAlertAt: 1 } } : {}) },
  );
}

/** Stores the thread root once; returns the root that won if another delivery stored one first. */
export async function setThread(conversationId: Types.ObjectId, channelId: string, threadTs: string): Promise<string> {
  const updated = await ConversationModel.findOneAndUpdate(
    { _id: conversationId, $or: [{ threadTs: { $exists: false } }, { threadTs: null }] },
    { $set: { channelId, threadTs } },
    { new: true },
  );
  if (updated?.threadTs) return updated.threadTs;
  const existing = await ConversationModel.findById(conversationId);
  return existing?.threadTs ?? threadTs;
}
