import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';

/** Every message either way, and internal notes, with who sent it. */
const messageSchema = new Schema(
  {
    /** Idempotency key: the wamid for WhatsApp messages, `slack:<channel>:<ts>` for what came from Slack. */
    key: { type: String, required: true },
    accountId: { type: Schema.Types.ObjectId, required: true, ref: 'Account' },
    conversationId: { type: Schema.Types.ObjectId, required: true, ref: 'Conversation' },
    direction: { type: String, required: true, enum: ['inbound', 'outbound', 'note'] },
    wamid: { type: String },
    type: { type: String, required: true },
    text: { type: String },
    /** Our own parsed content (never Meta's raw JSON). */
    content: { type: Schema.Types.Mixed },
    sentAt: { type: Date, required: true },
    sender: {
      /** `wadesk`: sent by wadesk itself (the away reply), which answers nobody: it does not count as a reply. */
      kind: { type: String, required: true, enum: ['customer', 'slack', 'wadesk'] },
      id: { type: String, required: true },
    },
    status: { type: String, enum: ['received', 'pending', 'sent', 'delivered', 'read', 'failed'] },
    error: { code: Number, title: String, meaning: String },
    slackChannelId: { type: String },
    slackTs: { type: String },
    /** The Slack file its media went up as, recorded before the file is shared: a retry looks for it (see `upload`). */
    slackFileId: { type: String },
  },
  { timestamps: true },
);
messageSchema.index({ key: 1 }, { unique: true });
messageSchema.index({ wamid: 1 });
messageSchema.index({ conversationId: 1, sentAt: 1 });
// Metrics: messages either way of an account in a period, counted by the database.
messageSchema.index({ accountId: 1, sentAt: 1 });

export type Message = InferSchemaType<typeof messageSchema>;
export type MessageDocument = HydratedDocument<Message>;
export const MessageModel = model('Message', messageSchema);
