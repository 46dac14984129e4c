import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';

/**
 * Work bound for Slack or WhatsApp, stored before anyone is told it was accepted.
 * Items of one lane (a conversation) are delivered strictly in `seq` order.
 */
const outboxSchema = new Schema(
  {
    /** Idempotency key: enqueuing the same key twice yields one item. */
    key: { type: String, required: true },
    lane: { type: String, required: true },
    seq: { type: Number, required: true },
    kind: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    state: { type: String, required: true, enum: ['pending', 'done', 'failed'], default: 'pending' },
    attempts: { type: Number, required: true, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    lastError: { type: String },
  },
  { timestamps: true },
);
outboxSchema.index({ key: 1 }, { unique: true });
outboxSchema.index({ state: 1, nextAttemptAt: 1 });
outboxSchema.index({ lane: 1, state: 1, seq: 1 });

export type OutboxItem = InferSchemaType<typeof outboxSchema>;
export type OutboxDocument = HydratedDocument<OutboxItem>;
export const OutboxModel = model('OutboxItem', outboxSchema);
