import type { QueueName } from '../domain/queues';
import type { AccountDocument } from '../store/models';
import { queuePage, type QueuePage } from '../store/queues';

export type { QueuePage } from '../store/queues';

/** One page of a queue of these accounts, most urgent first (see `queuePage`). */
export function queueOf(
  accounts: readonly Pick<AccountDocument, '_id'>[],
  queue: QueueName,
  opts: { userId: string; now: Date; page: number; size: number; tag?: string },
): Promise<QueuePage> {
  return queuePage(accounts.map((a) => a._id), queue, opts);
}
