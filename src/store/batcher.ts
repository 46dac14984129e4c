import { duplicatePositions } from './database';

interface Waiting<T, R> {
  item: T;
  resolve: (result: R | undefined) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit, for writes and for reads by _id: items added while a call is under
 * way wait and go together in the next call, so a busy caller pays one round trip
 * (and one transaction) per batch instead of one per item, and a quiet one waits for
 * nothing. Each `add` settles with its batch, with the result the call gave its item
 * (by position), if any.
 */
export class Batcher<T, R = void> {
  private waiting: Waiting<T, R>[] = [];
  private calling = false;

  constructor(
    private readonly call: (items: T[]) => Promise<readonly R[] | void>,
    private readonly maxBatch = 500,
  ) {}

  add(item: T): Promise<R | undefined> {
    const result = this.wait(item);
    if (!this.calling) void this.flush();
    return result;
  }

  /** Adds the items together: they go in the same call (the batch size allowing). */
  addAll(items: readonly T[]): Promise<(R | undefined)[]> {
    const results = Promise.all(items.map((item) => this.wait(item)));
    if (!this.calling) void this.flush();
    return results;
  }

  private wait(item: T): Promise<R | undefined> {
    return new Promise<R | undefined>((resolve, reject) => this.waiting.push({ item, resolve, reject }));
  }

  private async flush(): Promise<void> {
    this.calling = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      try {
        const results = await this.call(batch.map((w) => w.item));
        batch.forEach((w, n) => w.resolve(results?.[n]));
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.calling = false;
  }
}

/**
 * Inserts of documents with a unique key, batched: one unordered insert for all of them, in which
 * each is stored (true) or refused as a duplicate (false) by itself. Any other error fails the batch.
 */
export function uniqueInserts<D>(insert: (docs: D[]) => Promise<unknown>): Batcher<D, boolean> {
  return new Batcher<D, boolean>(async (docs) => {
    try {
      await insert(docs);
      return docs.map(() => true);
    } catch (err) {
      const taken = duplicatePositions(err);
      if (!taken) throw err;
      return docs.map((_, n) => !taken.has(n));
    }
  });
}
