import type { Types } from 'mongoose';
import { writingConversation } from './conversations';
import { ConversationModel, MessageModel } from './models';

/** The contact card's stored parts: tags and notes on the conversation, facts counted from it and its messages. */

/** Stores the card's tags and notes; what they were before, for the audit log, or undefined if the conversation is gone. */
export async function setContactCard(id: Types.ObjectId, card: { tags: string[]; notes: string }, now: Date): Promise<{ tags: string[]; notes: string } | undefined> {
  const before = await writingConversation(id, () => ConversationModel.findOneAndUpdate({ _id: id }, { $set: { tags: card.tags, notes: card.notes, updatedAt: now } }, { timestamps: false }).lean());
  return before ? { tags: before.tags ?? [], notes: before.notes ?? '' } : undefined;
}

export interface ContactFacts {
  /** Conversations this customer has with the workspace's accounts (one per account). */
  conversations: number;
  inbound: number;
  outbound: number;
  /** When WhatsApp last refused a marketing message because the customer opted out of them. */
  optedOutAt?: Date;
}

export async function contactFacts(conversation: { _id: Types.ObjectId; waId: string }, accountIds: readonly Types.ObjectId[]): Promise<ContactFacts> {
  const [conversations, inbound, outbound, optedOut] = await Promise.all([
    ConversationModel.countDocuments({ accountId: { $in: [...accountIds] }, waId: conversation.waId }),
    MessageModel.countDocuments({ conversationId: conversation._id, direction: 'inbound' }),
    MessageModel.countDocuments({ conversationId: conversation._id, direction: 'outbound' }),
    MessageModel.findOne({ conversationId: conversation._id, 'error.meaning': 'recipient_opted_out_marketing' }, { sentAt: 1 }).sort({ sentAt: -1 }).lean(),
  ]);
  return { conversations, inbound, outbound, ...(optedOut ? { optedOutAt: optedOut.sentAt } : {}) };
}
