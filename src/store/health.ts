import { performance } from 'node:perf_hooks';

/**
 * Whether a kind of write has been failing lately: the last one failed, less than `windowMs`
 * ago, and none has succeeded since. /readyz answers 503 meanwhile. The window lets it recover
 * when no traffic comes to prove writes work again (an instance out of rotation gets none).
 */
export class WriteHealth {
  private failedAt: number | undefined;

  constructor(
    private readonly windowMs = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Notes how the write ends; returns it unchanged. */
  watch<T>(write: Promise<T>): Promise<T> {
    return write.then(
      (result) => {
        this.failedAt = undefined;
        return result;
      },
      (err: unknown) => {
        this.failedAt = this.now();
        throw err;
      },
    );
  }

  get failing(): boolean {
    return this.failedAt !== undefined && this.now() - this.failedAt < this.windowMs;
  }
}

/** The journal's appends: what a webhook's 200 waits for. */
export const journalWrites = new WriteHealth();
