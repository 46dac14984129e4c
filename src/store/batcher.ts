interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: items added while a call is under way wait and go together in the next call,
 * so a busy caller pays one round trip per batch instead of one per item, and a quiet one
 * waits for nothing. Each `add` settles with its batch.
 */
export class Batcher<T> {
  private waiting: Waiting<T>[] = [];
  private calling = false;

  constructor(
    private readonly call: (items: T[]) => Promise<void>,
    private readonly maxBatch = 500,
  ) {}

  add(item: T): Promise<void> {
    const result = new Promise<void>((resolve, reject) => this.waiting.push({ item, resolve, reject }));
    if (!this.calling) void this.flush();
    return result;
  }

  private async flush(): Promise<void> {
    this.calling = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      try {
        await this.call(batch.map((w) => w.item));
        for (const w of batch) w.resolve();
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.calling = false;
  }
}
