import { DeliveredModel, OutboxModel } from '../../src/store/models';

/** Keys the outbox has seen, whether still to do, failed or delivered (delivered items leave only a tombstone). */
export async function outboxKeys(pattern: RegExp): Promise<string[]> {
  const [open, delivered] = await Promise.all([OutboxModel.find({}, { _id: 1 }), DeliveredModel.find({}, { _id: 1 })]);
  return [...open, ...delivered].map((d) => d._id).filter((key) => pattern.test(key));
}
