import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * A webhook change whose `field` wadesk does not handle (yet): acknowledged to Meta, which would
 * otherwise retry it for a week, and kept here for an operator to look at.
 */
const unhandledWebhookSchema = new Schema(
  {
    /** Account, field and a digest of the value: the same change redelivered is stored once. */
    key: { type: String, required: true },
    accountId: { type: Schema.Types.ObjectId, required: true, ref: 'Account' },
    field: { type: String, required: true },
    wabaId: { type: String },
    /** The change's value as JSON, cut to a bound: see UNHANDLED_VALUE_MAX. */
    value: { type: String, required: true },
    truncated: { type: Boolean, required: true, default: false },
    receivedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
unhandledWebhookSchema.index({ key: 1 }, { unique: true });

export type UnhandledWebhook = InferSchemaType<typeof unhandledWebhookSchema>;
export const UnhandledWebhookModel = model('UnhandledWebhook', unhandledWebhookSchema);
