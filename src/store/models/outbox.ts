import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';

/**
 * Work bound for Slack or WhatsApp, stored before anyone is told it was accepted.
 * Items of one lane (a conversation) are delivered strictly in `seq` order.
 * The collection holds only what is still to do (or failed for good): a delivered
 * item leaves a tombstone and goes, so the worker's scans stay small.
 */
const outboxSchema = new Schema(
  {
    /** The idempotency key: enqueuing the same key twice yields one item. */
    _id: { type: String, required: true },
    lane: { type: String, required: true },
    seq: { type: Number, required: true },
    kind: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    state: { type: String, required: true, enum: ['pending', 'failed'], default: 'pending' },
    attempts: { type: Number, required: true, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    lastError: { type: String },
    /** Set aside: Slack's error name, when Slack refused it. */
    slackError: { type: String },
    /** Set aside: the WhatsApp account it was for, when it was for one (for the account's admins). */
    accountId: { type: Schema.Types.ObjectId },
    /** The last attempt failed in a way that may have taken effect: the next one checks first. */
    maybeDone: { type: Boolean, required: true, default: false },
    /** The worker delivering it, until `leaseUntil`; both unset once the attempt is settled, so a lease left behind means its holder died. */
    leaseOwner: { type: String },
    leaseUntil: { type: Date },
  },
  { timestamps: true },
);
outboxSchema.index({ state: 1, seq: 1 });
outboxSchema.index({ state: 1, accountId: 1 });

/** Keys already delivered: a redelivered webhook that enqueues one again posts nothing. */
const deliveredSchema = new Schema(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export type OutboxItem = InferSchemaType<typeof outboxSchema>;
export type OutboxDocument = HydratedDocument<OutboxItem>;
export const OutboxModel = model('OutboxItem', outboxSchema);
export const DeliveredModel = model('OutboxDelivered', deliveredSchema);
