import { createHash } from 'node:crypto';
import type { Types } from 'mongoose';
import { isDuplicateKey } from './database';
import { UnhandledWebhookModel } from './models';

/** A value is kept up to this many characters of JSON; the journal had the delivery whole. */
export const UNHANDLED_VALUE_MAX = 16_000;

/** Keeps a change of a field we do not handle; false when the same change was kept before (a redelivery). */
export async function keepUnhandledWebhook(
  input: { accountId: Types.ObjectId; field: string; wabaId?: string; value: unknown },
  at: Date,
): Promise<boolean> {
  const json = JSON.stringify(input.value ?? null);
  const key = createHash('sha256').update(`${String(input.accountId)}\n${input.field}\n${json}`).digest('hex');
  const doc = {
    accountId: input.accountId,
    field: input.field,
    ...(input.wabaId ? { wabaId: input.wabaId } : {}),
    value: json.slice(0, UNHANDLED_VALUE_MAX),
    truncated: json.length > UNHANDLED_VALUE_MAX,
    receivedAt: at,
  };
  try {
    // An upsert, not an insert: ingest may run twice for one delivery, even at once.
    const result = await UnhandledWebhookModel.updateOne({ key }, { $setOnInsert: doc }, { upsert: true });
    return result.upsertedCount > 0;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/** What an operator looks at: the latest kept changes, optionally of one field. */
export async function listUnhandledWebhooks(filter: { field?: string } = {}, limit = 50) {
  return UnhandledWebhookModel.find(filter.field ? { field: filter.field } : {}).sort({ receivedAt: -1, _id: -1 }).limit(limit).lean();
}
