import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Types } from 'mongoose';
import type { Deps } from '../context';
import { customerKey } from '../domain/customer';
import {
  adoptEarlierEntries,
  appendJournal,
  entriesOf,
  forgetJournalHolder,
  holdJournal,
  lapsedOwners,
  removeJournal,
  setJournalEntryAside,
  takeJournalEntry,
} from '../store/journal';
import type { AccountDocument, JournalEntry } from '../store/models';
import type { InboundEvent } from '../whatsapp/inbound';

/**
 * The durable inbound journal. A verified webhook delivery is stored here as
 * received, in one write with the deliveries arriving beside it, and only then
 * acknowledged; ingesting it (conversations, messages, the outbox) follows.
 * Ingest is idempotent (messages are unique by wamid, outbox items by key), so
 * an entry ingested twice after a crash stores and posts nothing twice.
 *
 * The instance that received an entry ingests it, in arrival order per customer
 * and many customers at once (each ingest takes what every ready customer has
 * waiting), and renews its hold on all it has meanwhile, in one write. Entries whose instance
 * stopped renewing (it died) are taken over by another, each by one guarded update.
 */

export interface Delivery {
  account: AccountDocument;
  events: readonly InboundEvent[];
}

export interface JournalParts {
  /** Ingests one customer's deliveries each (merged), many customers at once. */
  ingest(deliveries: Delivery[]): Promise<unknown>;
  /** Rebuilds a stored entry's delivery; undefined when it can no longer be read. */
  restore(entry: JournalEntry): Promise<Delivery | undefined>;
}

export interface JournalOptions {
  /** How long an entry stays with its instance without a renewal. */
  leaseMs?: number;
  /** How often entries of stopped instances are looked for. */
  recoverEveryMs?: number;
  /**
   * Ingests under way at once, each of many customers' waiting deliveries, while few customers are
   * ready: at a moderate pace, a delivery that arrives during an ingest need not wait for it. Under load
   * one at a time: the next gathers what arrives meanwhile, and the busier the journal, the larger
   * (and cheaper a message) each ingest.
   */
  concurrency?: number;
  /** Deliveries one ingest takes, at most. */
  batchSize?: number;
  /**
   * While deliveries keep coming, an ingest starts at most this often, and takes what arrived
   * meanwhile: its writes are fewer and larger (each database command costs this process far more
   * CPU than the documents in it). A delivery after a quiet spell is ingested at once.
   */
  ingestEveryMs?: number;
  /** Entries this instance may hold before it refuses more (with 503, so Meta retries them later). */
  maxBacklog?: number;
}

/** The instance holds as many deliveries as it may: nothing was stored, the sender should retry later. */
export class JournalFull extends Error {}

interface Pending {
  id: Types.ObjectId;
  delivery: Delivery;
  attempts: number;
}

/** One customer's entries taken for an ingest. */
interface Lane {
  key: string;
  items: Pending[];
}

const RECOVERY_BATCH = 200;
/** Customers ready beside an ingest under way, beyond which the next waits for it (see `pump`). */
const FEW_READY = 10;
const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 30_000;
const KEPT_ASIDE_MS = 365 * 24 * 3_600_000;

export class Journal {
  private readonly owner = randomUUID();
  private readonly options: Required<JournalOptions>;
  /** Entries waiting, per customer, in arrival order. */
  private readonly lanes = new Map<string, Pending[]>();
  /** Customers with an entry under way or backing off. */
  private readonly busy = new Set<string>();
  /** Customers with a waiting entry and none under way, in the order they became so. */
  private readonly ready: string[] = [];
  /** Entries this instance holds in memory, by id. */
  private readonly held = new Set<string>();
  private readonly removals = new Set<Promise<void>>();
  private readonly retries = new Set<NodeJS.Timeout>();
  private active = 0;
  private lastIngestAt = -Infinity;
  private nextIngest: NodeJS.Timeout | undefined;
  /** Deliveries waiting for their 200. */
  private accepting = 0;
  private running = false;
  private draining = 0;
  private idle: (() => void)[] = [];
  private intervals: NodeJS.Timeout[] = [];
  private recovering: Promise<void> | undefined;
  /** This instance's hold, written before its first entry names it. */
  private registered: Promise<void> | undefined;
  /** Entries whose owner has no hold at all are looked for once, at the first recovery. */
  private orphansSought = false;

  constructor(
    private readonly deps: Pick<Deps, 'clock' | 'logger'>,
    private readonly parts: JournalParts,
    options: JournalOptions = {},
  ) {
    this.options = { leaseMs: 30_000, recoverEveryMs: 5_000, concurrency: 2, batchSize: 500, maxBacklog: 50_000, ingestEveryMs: 25, ...options };
  }

  /** Stores the delivery and resolves once it is durable. Ingest follows: at once when started, else on `drain`. */
  async accept(delivery: Delivery, body: string): Promise<void> {
    // Held entries live in memory until ingested: beyond this, a sustained overload would exhaust it.
    if (this.held.size >= this.options.maxBacklog) throw new JournalFull(`${this.held.size} deliveries are waiting to be ingested`);
    const id = new Types.ObjectId();
    this.accepting++;
    try {
      await this.register();
      await appendJournal({ _id: id, accountId: delivery.account._id, body, owner: this.owner });
    } finally {
      this.accepting--;
    }
    this.queue({ id, delivery, attempts: 0 });
  }

  /** Deliveries are waiting for their 200: background work (the outbox) makes room for them. */
  get urgent(): boolean {
    return this.accepting > 0;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.intervals = [
      setInterval(() => void this.renew(), Math.max(1, Math.floor(this.options.leaseMs / 3))),
      setInterval(() => void this.recover(), this.options.recoverEveryMs),
    ];
    void this.renew();
    void this.recover();
    this.pump();
  }

  /** Finishes what is under way and hands the rest back at once, so another instance need not wait out the lease. */
  async stop(): Promise<void> {
    this.running = false;
    for (const t of [...this.intervals, ...this.retries, this.nextIngest]) clearTimeout(t);
    this.nextIngest = undefined;
    await this.recovering;
    await this.whenIdle();
    await Promise.all(this.removals);
    if (!this.registered) return;
    await holdJournal(this.owner, new Date(0)).catch((err: unknown) => this.deps.logger.warn('journal hand-back failed', { err }));
  }

  /** Ingests everything that can be now, stale entries of other instances too; tests drive the journal with it. */
  async drain(): Promise<void> {
    this.draining++;
    try {
      await this.recover();
      this.pump();
      await this.whenIdle();
      await Promise.all(this.removals);
    } finally {
      this.draining--;
    }
  }

  private register(): Promise<void> {
    this.registered ??= holdJournal(this.owner, this.leaseEnd()).catch((err: unknown) => {
      this.registered = undefined;
      throw err;
    });
    return this.registered;
  }

  private leaseEnd(): Date {
    return new Date(this.deps.clock.now().getTime() + this.options.leaseMs);
  }

  private queue(item: Pending): void {
    this.held.add(String(item.id));
    const key = laneKey(item.delivery);
    const lane = this.lanes.get(key);
    if (lane) lane.push(item);
    else {
      this.lanes.set(key, [item]);
      if (!this.busy.has(key)) this.ready.push(key);
    }
    this.pump();
  }

  private pump(): void {
    // Under load (many customers ready) one ingest at a time: what arrives meanwhile makes the next one larger, and cheaper a message.
    const concurrency = this.ready.length > FEW_READY ? 1 : this.options.concurrency;
    while ((this.running || this.draining > 0) && this.active < concurrency && this.ready.length > 0) {
      const waitMs = this.lastIngestAt + this.options.ingestEveryMs - performance.now();
      if (waitMs > 0 && this.draining === 0) {
        this.nextIngest ??= setTimeout(() => {
          this.nextIngest = undefined;
          this.pump();
        }, waitMs);
        break;
      }
      this.lastIngestAt = performance.now();
      const lanes = this.nextBatch();
      this.active++;
      void this.ingest(lanes).then(() => {
        this.active--;
        this.pump();
      });
    }
    this.settleIdle();
  }

  /**
   * What each ready customer has waiting, oldest customer first, up to a batch. A customer whose
   * entries failed before goes in a batch of its own: whatever fails with it fails alone.
   */
  private nextBatch(): Lane[] {
    const batch: Lane[] = [];
    let size = 0;
    for (let key = this.ready[0]; key !== undefined && size < this.options.batchSize; key = this.ready[0]) {
      const lane = this.lanes.get(key);
      if (!lane) {
        this.ready.shift();
        continue;
      }
      const alone = (lane[0]?.attempts ?? 0) > 0;
      if (alone && batch.length > 0) break;
      this.ready.shift();
      const items = lane.splice(0, this.options.batchSize - size);
      if (lane.length === 0) this.lanes.delete(key);
      this.busy.add(key);
      batch.push({ key, items });
      size += items.length;
      if (alone) break;
    }
    return batch;
  }

  private release(key: string): void {
    this.busy.delete(key);
    if (this.lanes.has(key)) this.ready.push(key);
  }

  private async ingest(lanes: Lane[]): Promise<void> {
    const together = await this.tryIngest(lanes);
    if (together.ok) return;
    const [only] = lanes;
    if (lanes.length === 1 && only) return this.retryLater(only, together.err);
    // Each customer alone: one customer's failing deliveries hold back only theirs.
    this.deps.logger.warn('journal ingest failed; its customers are tried again one by one', { customers: lanes.length, err: together.err });
    await Promise.all(
      lanes.map(async (lane) => {
        const alone = await this.tryIngest([lane]);
        if (!alone.ok) this.retryLater(lane, alone.err);
      }),
    );
  }

  /** Ingests the lanes together and lets their customers go on, or says why not. */
  private async tryIngest(lanes: Lane[]): Promise<{ ok: true } | { ok: false; err: unknown }> {
    try {
      await this.parts.ingest(lanes.map((lane) => merged(lane.items)));
    } catch (err) {
      return { ok: false, err };
    }
    for (const lane of lanes) this.release(lane.key);
    for (const item of lanes.flatMap((lane) => lane.items)) {
      this.held.delete(String(item.id));
      // Nothing waits for it: an entry left behind is only ingested again, harmlessly.
      const removal = removeJournal(item.id)
        .catch((err: unknown) => this.deps.logger.warn('ingested journal entry not removed', { id: String(item.id), err }))
        .finally(() => this.removals.delete(removal));
      this.removals.add(removal);
    }
    return { ok: true };
  }

  /** Back to the head of its lane, after a backoff: the customer's later entries wait behind it. */
  private retryLater(lane: Lane, err: unknown): void {
    const attempts = Math.max(...lane.items.map((item) => ++item.attempts));
    const retryInMs = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempts - 1));
    this.deps.logger.warn('journal entries will be ingested again', { ids: lane.items.map((item) => String(item.id)), attempt: attempts, retryInMs, err });
    this.lanes.set(lane.key, [...lane.items, ...(this.lanes.get(lane.key) ?? [])]);
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      this.release(lane.key);
      this.pump();
    }, retryInMs);
    this.retries.add(timer);
  }

  private async renew(): Promise<void> {
    const renewal = holdJournal(this.owner, this.leaseEnd());
    this.registered ??= renewal;
    await renewal.catch((err: unknown) => {
      if (this.registered === renewal) this.registered = undefined;
      this.deps.logger.warn('journal renewal failed', { err });
    });
  }

  private recover(): Promise<void> {
    this.recovering ??= this.takeOverStale()
      .catch((err: unknown) => this.deps.logger.warn('journal recovery failed', { err }))
      .finally(() => (this.recovering = undefined));
    return this.recovering;
  }

  private async takeOverStale(): Promise<void> {
    const now = this.deps.clock.now();
    if (!this.orphansSought) while ((await adoptEarlierEntries(RECOVERY_BATCH)) === RECOVERY_BATCH);
    for (const owner of await lapsedOwners(now, { withoutHolder: !this.orphansSought })) {
      if (owner === this.owner) continue;
      for (const entry of await entriesOf(owner, now, RECOVERY_BATCH)) {
        if (this.held.has(String(entry._id))) continue;
        const delivery = await this.parts.restore(entry);
        if (!delivery) {
          if (await setJournalEntryAside(entry._id, owner, new Date(now.getTime() + KEPT_ASIDE_MS))) {
            this.deps.logger.error('journal entry cannot be read back; kept aside for an operator', { id: String(entry._id) });
          }
          continue;
        }
        await this.register();
        // Of instances taking it over at once, one finds it still the stopped owner's.
        if (!(await takeJournalEntry(entry._id, owner, this.owner))) continue;
        this.deps.logger.info('journal entry taken over from a stopped instance', { id: String(entry._id) });
        this.queue({ id: entry._id, delivery, attempts: 0 });
      }
      await forgetJournalHolder(owner, now);
    }
    this.orphansSought = true;
  }

  private whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idle.push(resolve);
      this.settleIdle();
    });
  }

  /** Idle: nothing under way and nothing that may start (entries backing off do not count). */
  private settleIdle(): void {
    const startable = this.running || this.draining > 0 ? this.ready.length : 0;
    if (this.active > 0 || startable > 0) return;
    for (const resolve of this.idle.splice(0)) resolve();
  }
}

/**
 * One customer's waiting entries as one delivery, their events in arrival order. A lane is one
 * account's, so they share it; the latest copy of it is the one read last.
 */
function merged(batch: Pending[]): Delivery {
  const last = batch[batch.length - 1];
  if (!last) throw new Error('an empty batch');
  return { account: last.delivery.account, events: batch.flatMap((item) => item.delivery.events) };
}

/** One customer's entries are ingested in arrival order, so the thread keeps their order. */
function laneKey({ account, events }: Delivery): string {
  for (const e of events) {
    // By the BSUID where there is one: the same customer's deliveries with and without their number share a lane.
    if (e.kind === 'message') return `${String(account._id)}:${customerKey(e.message.customer)}`;
    if (e.kind === 'status') return `${String(account._id)}:${customerKey(e.status.recipient)}`;
    if (e.kind === 'user_id_update') return `${String(account._id)}:${e.update.previousUserId}`;
  }
  return String(account._id);
}
