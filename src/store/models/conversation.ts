import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';

/** One customer (wa_id) talking to one account: one Slack thread. */
const conversationSchema = new Schema(
  {
    accountId: { type: Schema.Types.ObjectId, required: true, ref: 'Account' },
    waId: { type: String, required: true },
    profileName: { type: String },
    channelId: { type: String },
    /** The thread's root message; unset until the opening message has been posted. */
    threadTs: { type: String },
    lastInboundAt: { type: Date },
    lastInboundPreview: { type: String },
    /** lastInboundAt + 24 h; never moves backwards. */
    windowClosesAt: { type: Date },
    lastReplyAt: { type: Date },
    lastReplyBy: { type: String },
    // The window's alert progress lives in WindowAlert, only while something is due.
  },
  { timestamps: true },
);
conversationSchema.index({ accountId: 1, waId: 1 }, { unique: true });
conversationSchema.index({ accountId: 1, windowClosesAt: 1 });
conversationSchema.index({ channelId: 1, threadTs: 1 });

export type Conversation = InferSchemaType<typeof conversationSchema>;
export type ConversationDocument = HydratedDocument<Conversation>;
export const ConversationModel = model('Conversation', conversationSchema);
