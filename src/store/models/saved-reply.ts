import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';

/** A text an account's admins keep for its agents to send (see src/domain/saved-replies.ts). */
const savedReplySchema = new Schema(
  {
    accountId: { type: Schema.Types.ObjectId, required: true, ref: 'Account' },
    name: { type: String, required: true },
    /** The name as compared: one reply of a name per account. */
    nameKey: { type: String, required: true },
    text: { type: String, required: true },
    createdBy: { type: String },
  },
  { timestamps: true },
);
savedReplySchema.index({ accountId: 1, nameKey: 1 }, { unique: true });

export type SavedReply = InferSchemaType<typeof savedReplySchema>;
export type SavedReplyDocument = HydratedDocument<SavedReply>;
export const SavedReplyModel = model('SavedReply', savedReplySchema);
