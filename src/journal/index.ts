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
 * (a customer's waiting entries together) and concurrently across customers, and
 * renews its hold on all it has meanwhile, in one write. Entries whose instance
 * stopped renewing (it died) are taken over by another, each by one guarded update.
 */

export interface Delivery {
  account: AccountDocument;
  events: InboundEvent[];
}

export interface JournalParts {
  ingest(delivery: Delivery): Promise<unknown>;
  /** Rebuilds a stored entry's delivery; undefined when it can no longer be read. */
  restore(entry: JournalEntry): Promise<Delivery | undefined>;
}

export interface JournalOptions {
  /** How long an entry stays with its instance without a renewal. */
  leaseMs?: number;
  /** How often entries of stopped instances are looked for. */
  recoverEveryMs?: number;
  /** Customers ingested at once. */
  concurrency?: number;
  /**
   * Customers ingested at once while deliveries wait for their 200 or arrive in a burst. Customers
   * ingested side by side share their writes (one insert for all their messages, and so on), so
   * a few cost the database hardly more than one.
   */
  urgentConcurrency?: number;
  /** Entries this instance may hold before it refuses more (with 503, so Meta retries them later). */
  maxBacklog?: number;
  /**
   * Deliveries a second beyond which acknowledging them comes first: ingest trickles, the next
   * delivery of up to `urgentConcurrency` customers every `burstTrickleMs`, until the burst passes.
   * Ingest and acknowledgements share the process and the database, and a slow 200 makes Meta
   * retry the whole delivery (and back off from us). A delivery ingested alone costs about ten
   * acknowledgements' CPU: at a turn a second rather than every 200 ms, a burst was acknowledged
   * a quarter to a half faster. `burstMaxHeld` bounds what a burst may put off.
   */
  burstPerSecond?: number;
  burstTrickleMs?: number;
  /**
   * Deliveries held beyond which a burst no longer holds ingest back. A burst that long is a
   * sustained load: trickling, ingest would fall behind it until deliveries were refused.
   */
  burstMaxHeld?: number;
}

/** The instance holds as many deliveries as it may: nothing was stored, the sender should retry later. */
export class JournalFull extends Error {}

interface Pending {
  id: Types.ObjectId;
  delivery: Delivery;
  attempts: number;
}

const RECOVERY_BATCH = 200;
/** Entries of one customer ingested together, at most. */
const INGEST_BATCH = 50;
/** The time constant of the arrival rate: long enough that a pause inside a burst does not end it. */
const RATE_TAU_MS = 500;
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
  /** Deliveries waiting for their 200. */
  private accepting = 0;
  private running = false;
  private draining = 0;
  private idle: (() => void)[] = [];
  private intervals: NodeJS.Timeout[] = [];
  private recovering: Promise<void> | undefined;
  /** Deliveries a second, a moving average that decays with RATE_TAU_MS, as of `rateAt` (monotonic ms). */
  private arrivalRate = 0;
  private rateAt = 0;
  private lastStartedAt = -Infinity;
  /** A pump put off until the trickle's next turn. */
  private wake: NodeJS.Timeout | undefined;
  /** This instance's hold, written before its first entry names it. */
  private registered: Promise<void> | undefined;
  /** Entries whose owner has no hold at all are looked for once, at the first recovery. */
  private orphansSought = false;

  constructor(
    private readonly deps: Pick<Deps, 'clock' | 'logger'>,
    private readonly parts: JournalParts,
    options: JournalOptions = {},
  ) {
    this.options = { leaseMs: 30_000, recoverEveryMs: 5_000, concurrency: 8, urgentConcurrency: 4, maxBacklog: 50_000, burstPerSecond: 200, burstTrickleMs: 1_000, burstMaxHeld: 5_000, ...options };
  }

  /** Stores the delivery and resolves once it is durable. Ingest follows: at once when started, else on `drain`. */
  async accept(delivery: Delivery, body: string): Promise<void> {
    // Held entries live in memory until ingested: beyond this, a sustained overload would exhaust it.
    if (this.held.size >= this.options.maxBacklog) throw new JournalFull(`${this.held.size} deliveries are waiting to be ingested`);
    const id = new Types.ObjectId();
    const now = performance.now();
    this.arrivalRate = this.rateAsOf(now) + 1000 / RATE_TAU_MS;
    this.rateAt = now;
    this.accepting++;
    try {
      await this.register();
      await appendJournal({ _id: id, accountId: delivery.account._id, body, owner: this.owner });
    } finally {
      this.accepting--;
    }
    this.queue({ id, delivery, attempts: 0 });
  }

  /**
   * Deliveries are waiting for their 200, or arriving in a burst: background work makes room for
   * them, as it shares the process and the database with their writes, and Meta retries (and
   * backs off from) slow acknowledgements.
   */
  get urgent(): boolean {
    return this.accepting > 0 || this.bursting();
  }

  private bursting(): boolean {
    return this.held.size < this.options.burstMaxHeld && this.rateAsOf(performance.now()) >= this.options.burstPerSecond;
  }

  private rateAsOf(now: number): number {
    return this.arrivalRate * Math.exp(-(now - this.rateAt) / RATE_TAU_MS);
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
    for (const t of [...this.intervals, ...this.retries, this.wake]) clearTimeout(t);
    this.wake = undefined;
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
    // Fewer customers at a time while deliveries wait for their 200, and in a burst they start together once a trickle turn (see `urgent`).
    const bursting = this.bursting();
    const concurrency = bursting || this.accepting > 0 ? this.options.urgentConcurrency : this.options.concurrency;
    const mayStart = (this.running || this.draining > 0) && this.active < concurrency && this.ready.length > 0;
    if (!mayStart) return this.settleIdle();
    const turnIn = bursting ? this.lastStartedAt + this.options.burstTrickleMs - performance.now() : 0;
    if (turnIn > 0) {
      this.wake ??= setTimeout(() => {
        this.wake = undefined;
        this.pump();
      }, turnIn);
      return this.settleIdle();
    }
    this.lastStartedAt = performance.now();
    while (this.active < concurrency && this.ready.length > 0) {
      const key = this.ready.shift();
      if (key === undefined) break;
      const lane = this.lanes.get(key);
      if (!lane) continue;
      // What the customer has waiting goes in one ingest (a backlog costs fewer writes a message the longer
      // it is), but one delivery each in a burst: a turn's writes are what the trickle keeps small.
      const batch = lane.splice(0, bursting ? 1 : INGEST_BATCH);
      if (lane.length === 0) this.lanes.delete(key);
      this.active++;
      this.busy.add(key);
      void this.ingest(batch).then((retryInMs) => {
        this.active--;
        if (retryInMs === undefined) return this.release(key);
        // Back to the head of its lane: the customer's later entries wait behind it.
        this.lanes.set(key, [...batch, ...(this.lanes.get(key) ?? [])]);
        const timer = setTimeout(() => {
          this.retries.delete(timer);
          this.release(key);
        }, retryInMs);
        this.retries.add(timer);
        this.pump();
      });
    }
    this.settleIdle();
  }

  private release(key: string): void {
    this.busy.delete(key);
    if (this.lanes.has(key)) this.ready.push(key);
    this.pump();
  }

  /** Undefined when done with the entries, else when to try them again. */
  private async ingest(batch: Pending[]): Promise<number | undefined> {
    try {
      await this.parts.ingest(merged(batch));
    } catch (err) {
      const attempts = Math.max(...batch.map((item) => ++item.attempts));
      const retryInMs = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempts - 1));
      this.deps.logger.warn('journal entries will be ingested again', { ids: batch.map((item) => String(item.id)), attempt: attempts, retryInMs, err });
      return retryInMs;
    }
    for (const item of batch) {
      this.held.delete(String(item.id));
      // The lane does not wait for it: an entry left behind is only ingested again, harmlessly.
      const removal = removeJournal(item.id)
        .catch((err: unknown) => this.deps.logger.warn('ingested journal entry not removed', { id: String(item.id), err }))
        .finally(() => this.removals.delete(removal));
      this.removals.add(removal);
    }
    return undefined;
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
