import { Schema, model, type InferSchemaType, type Types } from 'mongoose';

/** One customer talking to one account: one Slack thread. */
const conversationSchema = new Schema(
  {
    accountId: { type: Schema.Types.ObjectId, required: true, ref: 'Account' },
    /**
     * The identifier the customer was first seen by (a wa_id, or a BSUID for one who shared no
     * number): the conversation's unique key, never changed, so a new number or username does
     * not split it. Every identifier the customer has (`phone`, `userId`) finds it too.
     */
    waId: { type: String, required: true },
    /** The customer's number as last known; unset while they share none (and on conversations older than BSUIDs, whose `waId` is it). */
    phone: { type: String },
    /** The business-scoped user ID (BSUID). */
    userId: { type: String },
    parentUserId: { type: String },
    username: { type: String },
    profileName: { type: String },
    channelId: { type: String },
    /** The thread's root message; unset until the opening message has been posted. */
    threadTs: { type: String },
    lastInboundAt: { type: Date },
    lastInboundPreview: { type: String },
    /** lastInboundAt + 24 h; never moves backwards. */
    windowClosesAt: { type: Date },
    lastReplyAt: { type: Date },
    /**
     * The customer's marketing-message preference from Meta's `user_preferences` webhook: `stop`
     * refuses MARKETING templates to them. `marketingPreferenceAt` is Meta's time, so an older
     * delivery arriving late cannot undo a newer choice.
     */
    marketingPreference: { type: String },
    marketingPreferenceAt: { type: Date },
    lastReplyBy: { type: String },
    /** The Slack user handling the conversation; unset while it is in the queue (one at a time, see `src/store/inbox.ts`). */
    assignee: { type: String },
    /** open, pending or resolved (see `src/domain/inbox.ts`); unset on conversations from before statuses: open. */
    status: { type: String, enum: ['open', 'pending', 'resolved'] },
    /** The contact card's tags (see src/domain/contact.ts), shown on the root; a queue can be filtered by one. */
    tags: { type: [String], default: undefined },
    /** The contact card's free-text notes, for agents only. */
    notes: { type: String },
    /** Response targets breached in this conversation, raised once per breach at its escalation (src/sla/handlers.ts). */
    slaBreachCount: { type: Number, default: 0 },
    /**
     * The metrics of the conversation's current round (see src/store/metrics.ts): from the customer's
     * first message (or their first after it was resolved) to the first reply and to the resolution.
     */
    openedAt: { type: Date },
    firstResponseAt: { type: Date },
    firstResponseMs: { type: Number },
    resolvedAt: { type: Date },
    resolutionMs: { type: Number },
    /** The customer's answer to the satisfaction survey of this round (1 worst … the survey's options). */
    csatScore: { type: Number },
    /** When the survey was sent for this round: it is asked once. */
    csatAskedAt: { type: Date },
    // The window's alert progress lives in WindowAlert, only while something is due.
  },
  { timestamps: true },
);
conversationSchema.index({ accountId: 1, waId: 1 }, { unique: true });
conversationSchema.index({ accountId: 1, windowClosesAt: 1 });
conversationSchema.index({ channelId: 1, threadTs: 1 });
// A customer's conversation by the identifiers learnt after the one it was first seen by (see `findConversationByCustomer`).
conversationSchema.index({ accountId: 1, phone: 1 });
conversationSchema.index({ accountId: 1, userId: 1 });
// The inbox queues (src/store/queues.ts): open conversations of the workspace's accounts, by window close; mine and unassigned by assignee too.
conversationSchema.index({ accountId: 1, status: 1, assignee: 1, windowClosesAt: 1 });
conversationSchema.index({ accountId: 1, status: 1, windowClosesAt: 1 });
conversationSchema.index({ accountId: 1, status: 1, tags: 1, windowClosesAt: 1 });
// Metrics and the CSV export: conversations started in a period.
conversationSchema.index({ accountId: 1, createdAt: 1 });

export type Conversation = InferSchemaType<typeof conversationSchema>;
/**
 * A conversation as stored, as a plain object (read `lean`): ingest reads and copies many at once, and
 * hydrating them took about a tenth of the service's CPU in the ingest bench. Writes go through the
 * store's functions; `save?: never` makes passing a hydrated document a compile error.
 */
export type ConversationDocument = Conversation & { _id: Types.ObjectId; save?: never };
export const ConversationModel = model('Conversation', conversationSchema);
