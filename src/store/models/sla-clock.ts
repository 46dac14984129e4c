import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';

/**
 * A response target running for one conversation: the customer wrote at `since` and nobody has
 * answered yet. Kept apart from the conversations, like WindowAlert, so the SLA sweep reads only
 * the clocks that are due; it exists while the target runs and goes once it is met, breached and
 * escalated, or moot (resolved, pending). `_id` is the conversation's.
 */
const slaClockSchema = new Schema({
  _id: { type: Schema.Types.ObjectId, required: true },
  accountId: { type: Schema.Types.ObjectId, required: true, ref: 'Account' },
  /** The customer's first unanswered message: the target counts from it, in business time. */
  since: { type: Date, required: true },
  /** `first`: nobody has answered since the conversation (re)opened; `next`: a later reply. */
  target: { type: String, required: true, enum: ['first', 'next'] },
  warned: { type: Boolean, default: false },
  breached: { type: Boolean, default: false },
  /** When the sweep next has something to do here (the warning, the breach). */
  nextCheckAt: { type: Date, required: true },
});
slaClockSchema.index({ nextCheckAt: 1 });

export type SlaClock = InferSchemaType<typeof slaClockSchema>;
export type SlaClockDocument = HydratedDocument<SlaClock>;
export const SlaClockModel = model('SlaClock', slaClockSchema);

/**
 * One warning posted in another's place (an SLA warning and a window warning due within minutes
 * of each other go out as one message). `_id` names the warning absorbed, `by` the outbox item
 * that posts it: that item may retry and post again, any other skips.
 */
const slaMarkSchema = new Schema(
  {
    _id: { type: String, required: true },
    by: { type: String, required: true },
  },
  { versionKey: false },
);

export type SlaMark = InferSchemaType<typeof slaMarkSchema>;
export const SlaMarkModel = model('SlaMark', slaMarkSchema);
