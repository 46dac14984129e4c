import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';

/**
 * What the 24-hour-window sweep still has to alert for one conversation, kept apart
 * from the conversations so a sweep reads and writes only what is pending: the
 * document exists while something is due for the window and is deleted when nothing is.
 * `_id` is the conversation's.
 */
const windowAlertSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    accountId: { type: Schema.Types.ObjectId, required: true, ref: 'Account' },
    // Copied from the conversation for the sweep's channel summaries, so a sweep reads no
    // conversation at all (even a read by _id costs time in proportion to the collection on FerretDB).
    waId: { type: String, required: true },
    profileName: { type: String },
    channelId: { type: String },
    threadTs: { type: String },
    /** The window this progress is for (the conversation's windowClosesAt when written). */
    closesAt: { type: Date, required: true },
    /** Warning thresholds (minutes) already enqueued for this window. */
    warnedThresholds: { type: [Number], default: [] },
    closedNotified: { type: Boolean, default: false },
    /** When the sweeper next has something to do here. */
    nextAlertAt: { type: Date, required: true },
  },
);
windowAlertSchema.index({ nextAlertAt: 1 });

export type WindowAlert = InferSchemaType<typeof windowAlertSchema>;
export type WindowAlertDocument = HydratedDocument<WindowAlert>;
export const WindowAlertModel = model('WindowAlert', windowAlertSchema);
