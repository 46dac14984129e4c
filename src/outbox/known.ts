import { performance } from 'node:perf_hooks';
import type { OutboxItem } from '../store/models';

/** What a worker needs of a pending item to order and pick the due ones. */
export type Queued = Pick<OutboxItem, '_id' | 'lane' | 'seq' | 'attempts' | 'nextAttemptAt'>;

export interface KnownPendingOptions {
  /** Pending items read at most, the first by `seq`. */
  readLimit: number;
  /** Read again at least this often, for items other instances stored. */
  rereadMs: number;
  /** Reads take at most this share of the time: one of a long backlog is long. */
  readShare: number;
}

/**
 * The pending items a worker knows of, so that a pass need not read the outbox again. On
 * FerretDB any filter but `_id` decodes every item, so a pass that read them cost as much as
 * the whole backlog: a long one drained at tens of posts a second.
 *
 * It holds the first pending items by `seq` as last read, then what the worker did with them
 * and what this process stored since. Items stored since come after every item read (their
 * `seq` is larger), so they join only when the read took in every pending item: a lane never
 * skips an item that is waiting beyond what was read. It is read again when it may be wrong (a
 * claim found an item someone else had changed, a failed write), when a partial read runs low,
 * and now and then for what other instances stored.
 */
export class KnownPending {
  private items = new Map<string, Queued>();
  /** The last read took in every pending item. */
  private complete = false;
  private stale = true;
  private readAt = -Infinity;
  private readTookMs = 0;
  /** What happened during each read under way, replayed onto its result. */
  private readonly duringReads = new Set<{ stored: Queued[]; changed: Map<string, Queued | undefined> }>();

  constructor(
    private readonly read: (limit: number) => Promise<Queued[]>,
    private readonly options: KnownPendingOptions,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The first `n` pending items by `seq`, read from the outbox first when the known ones may not do (or `reread`). */
  async first(n: number, reread = false): Promise<Queued[]> {
    if (reread || this.needsRead(n)) await this.refresh();
    return [...this.items.values()].sort((a, b) => a.seq - b.seq).slice(0, n);
  }

  /** What this process just stored. */
  stored(items: Queued[]): void {
    for (const during of this.duringReads) during.stored.push(...items);
    if (this.complete && !this.stale) this.complete = this.join(this.items, items);
  }

  /** Adds what this process stored, as many as a read takes in at most; false when some had to stay out. */
  private join(into: Map<string, Queued>, items: Queued[]): boolean {
    for (const item of items) {
      if (into.has(item._id)) continue;
      // The rest wait in the outbox, after everything known, for a read.
      if (into.size >= this.options.readLimit) return false;
      into.set(item._id, item);
    }
    return true;
  }

  /** An item this worker settled: still pending as `item`, or gone (undefined). */
  changed(id: string, item: Queued | undefined): void {
    for (const during of this.duringReads) during.changed.set(id, item);
    if (!item) this.items.delete(id);
    else if (this.items.has(id)) this.items.set(id, item);
  }

  /** What is known may be wrong: read again before the next pass. */
  invalidate(): void {
    this.stale = true;
  }

  private needsRead(want: number): boolean {
    if (this.stale || (!this.complete && this.items.size < want)) return true;
    return this.now() - this.readAt >= Math.max(this.options.rereadMs, this.readTookMs / this.options.readShare);
  }

  private async refresh(): Promise<void> {
    const during = { stored: [] as Queued[], changed: new Map<string, Queued | undefined>() };
    this.duringReads.add(during);
    this.stale = false;
    const started = this.now();
    try {
      const read = await this.read(this.options.readLimit);
      const items = new Map(read.map((item) => [item._id, item]));
      this.complete = read.length < this.options.readLimit && this.join(items, during.stored);
      for (const [id, item] of during.changed) {
        if (!item) items.delete(id);
        else if (items.has(id)) items.set(id, item);
      }
      this.items = items;
    } catch (err) {
      this.stale = true;
      throw err;
    } finally {
      this.duringReads.delete(during);
    }
    this.readAt = this.now();
    this.readTookMs = this.readAt - started;
  }
}
