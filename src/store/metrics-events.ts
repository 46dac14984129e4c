import type { Types } from 'mongoose';
import { isDuplicateKey } from './database';
import { MetricEventModel, type MetricEvent, type MetricEventKind } from './models';

/**
 * Writes one metric event, once: its `_id` names it, so a retry (an outbox item delivered again,
 * a survey answer redelivered) stores nothing twice; true when this call stored it. Metrics are not worth failing the change they
 * count: the caller has made that change already.
 */
export async function recordMetricEvent(input: {
  key: string;
  kind: MetricEventKind;
  accountId: Types.ObjectId;
  conversationId: Types.ObjectId;
  at: Date;
  agent?: string;
  ms?: number;
  score?: number;
  scale?: number;
}): Promise<boolean> {
  const doc: MetricEvent & { _id: string } = {
    _id: `${input.kind}:${input.key}`,
    accountId: input.accountId,
    conversationId: input.conversationId,
    kind: input.kind,
    at: input.at,
    ...(input.agent ? { agent: input.agent } : {}),
    ...(input.ms !== undefined ? { ms: input.ms } : {}),
    ...(input.score !== undefined ? { score: input.score, scale: input.scale } : {}),
  };
  try {
    await MetricEventModel.create(doc);
    return true;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return false;
  }
}
