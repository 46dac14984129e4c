import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * One thing the metrics count, written when it happens: a conversation reopened, answered for the
 * first time in its round, resolved, its window closed unanswered, a survey answered. One per
 * conversation round at most (messages are counted from the messages themselves), so a period's
 * events are few enough to read. `_id` is a key naming the event, so writing it again (a retried
 * outbox item) stores nothing twice.
 */
const metricEventSchema = new Schema(
  {
    _id: { type: String, required: true },
    accountId: { type: Schema.Types.ObjectId, required: true, ref: 'Account' },
    conversationId: { type: Schema.Types.ObjectId, required: true, ref: 'Conversation' },
    kind: { type: String, required: true, enum: ['reopened', 'first_response', 'resolved', 'window_unanswered', 'csat', 'sla_breach'] },
    at: { type: Date, required: true },
    /** The Slack user it is counted for: who answered or resolved, the assignee otherwise. */
    agent: { type: String },
    /** first_response, resolved: how long it took. */
    ms: { type: Number },
    /** csat: the score given, 1 … scale. */
    score: { type: Number },
    scale: { type: Number },
  },
  { versionKey: false },
);
metricEventSchema.index({ accountId: 1, at: 1 });

export type MetricEvent = InferSchemaType<typeof metricEventSchema>;
export type MetricEventKind = MetricEvent['kind'];
export const MetricEventModel = model('MetricEvent', metricEventSchema);
