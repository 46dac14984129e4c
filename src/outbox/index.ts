import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { ErrorCode } from '@slack/web-api';
import { z } from 'zod';
import { groupBy } from '../collections';
import type { Deps } from '../context';
import { isDuplicateKey, refusedAsDuplicates, storedMixed } from '../store/database';
import { guarded, soleWriter } from '../store/guard';
import { DeliveredModel, OutboxModel, type OutboxItem } from '../store/models';
import type { Job } from '../jobs';
import { Wakeup } from './wakeup';

/**
 * The durable outbox: everything bound for Slack (and replies bound for
 * WhatsApp) is stored here first, then delivered by a worker that retries
 * with backoff, honours Retry-After, keeps each lane in order and survives restarts.
 */

export interface EnqueueInput {
  /** Same key twice yields one item, so redeliveries never post twice. */
  key: string;
  /** Items of one lane (e.g. `conversation:<id>`) are delivered strictly in enqueue order. */
  lane: string;
  kind: string;
  payload: Record<string, unknown>;
}

export interface DeliveryContext {
  key: string;
  attempt: number;
  /** An earlier attempt may have reached the other side (it failed late, or its worker died): check before doing it again. */
  uncertain: boolean;
  /** When the item was stored: an earlier attempt's work in Slack comes after it, so a look for that work starts there. */
  enqueuedAt: Date;
}

export type OutboxHandler = (payload: Record<string, unknown>, ctx: DeliveryContext) => Promise<void>;

export class RetryLater extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    /** The failed call may still have taken effect (a time-out, a dropped connection). */
    readonly maybeDone = false,
  ) {
    super(message);
    this.name = 'RetryLater';
  }
}

/** Not a failure: the item's turn has not come yet (its Slack channel is paced). Tried again after `waitMs`, as the same attempt. */
export class NotYet extends Error {
  constructor(
    message: string,
    readonly waitMs: number,
  ) {
    super(message);
    this.name = 'NotYet';
  }
}

export class PermanentFailure extends Error {
  constructor(
    message: string,
    /** Slack's error name, when Slack refused the call. */
    readonly slackError?: string,
  ) {
    super(message);
    this.name = 'PermanentFailure';
  }
}

/** An outbox payload read with its schema; one that does not parse will never deliver, so it is set aside at once. */
export function parsePayload<T extends z.ZodType>(schema: T, payload: Record<string, unknown>): z.output<T> {
  const result = schema.safeParse(payload);
  if (!result.success) throw new PermanentFailure(`malformed outbox payload: ${result.error.issues[0]?.message ?? ''}`);
  return result.data;
}

/** An item that failed for good, as the worker set it aside. */
export interface SetAside {
  key: string;
  kind: string;
  payload: Record<string, unknown>;
  /** Slack's error name, or our own reason. */
  reason: string;
  slackError?: string;
  /** The attempt that failed, from 1. */
  attempt: number;
}

/** Tells workers in this process that work was stored: items appended (with those stored now), or put back. */
const enqueued = new EventEmitter<{ work: [{ appended: true; items: Queued[] } | { appended: false }] }>();
let lastSeq = 0;

/** A number that only grows within this process, and roughly with time across processes. */
function nextSeq(now: Date): number {
  lastSeq = Math.max(lastSeq + 1, now.getTime() * 1000);
  return lastSeq;
}

/**
 * Stores the items (ignoring keys already stored: the key is the `_id`) and wakes the worker. A key
 * already delivered may be stored again here; the worker drops it unposted.
 */
export async function enqueue(items: EnqueueInput[], now: Date): Promise<void> {
  if (items.length === 0) return;
  const storedAt = new Date();
  // Stored as typed here, not through mongoose documents: hydrating and validating each cost more than inserting it.
  const docs = items.map(
    ({ key, lane, kind, payload }) =>
      ({
        _id: key,
        lane,
        seq: nextSeq(now),
        kind,
        payload: storedMixed(payload) ?? {},
        state: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        maybeDone: false,
        // In the order mongoose writes them: the stored documents are the same (test/integration/ingest-round-trips.test.ts).
        __v: 0,
        createdAt: storedAt,
        updatedAt: storedAt,
      }) satisfies OutboxItem & { __v: number },
  );
  let refused = new Set<number>();
  try {
    // Keys stored before keep their own place in their lanes.
    refused = await refusedAsDuplicates(OutboxModel.insertMany(docs, { ordered: false, lean: true }));
  } finally {
    enqueued.emit('work', { appended: true, items: docs.filter((_, n) => !refused.has(n)) });
  }
}

const slackErrorShape = z.object({
  code: z.string().optional(),
  retryAfter: z.number().optional(),
  message: z.string().optional(),
  // web-api 8 calls Slack with fetch: the system error (ECONNREFUSED…) is the cause of fetch's TypeError.
  original: z.object({ code: z.string().optional(), cause: z.object({ code: z.string().optional() }).optional() }).optional(),
  data: z.object({ error: z.string().optional() }).optional(),
});

/** Sorts a failed Slack call into "try again" or "will never work". */
export function classifySlackError(err: unknown): RetryLater | PermanentFailure | NotYet {
  if (err instanceof RetryLater || err instanceof PermanentFailure || err instanceof NotYet) return err;
  const parsed = slackErrorShape.safeParse(err);
  const e = parsed.success ? parsed.data : {};
  const message = e.message ?? String(err);
  switch (e.code) {
    case ErrorCode.RateLimitedError:
      return new RetryLater('Slack rate limit', (e.retryAfter ?? 1) * 1000);
    case ErrorCode.HTTPError:
      return new RetryLater(message);
    case ErrorCode.RequestError:
      // Refused before anything was sent is certain; a time-out or reset after sending is not.
      return new RetryLater(message, undefined, !NOT_SENT.has(e.original?.code ?? e.original?.cause?.code ?? ''));
    case ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown';
      // Slack's own transient faults are worth another try; everything else is about the request.
      if (['internal_error', 'fatal_error', 'service_unavailable', 'ratelimited', 'request_timeout'].includes(code)) {
        return new RetryLater(code);
      }
      return new PermanentFailure(code, code);
    }
    default:
      // Our own parse of what we stored or were answered: trying again reads the same bytes.
      if (err instanceof z.ZodError) return new PermanentFailure(`malformed data: ${err.issues[0]?.message ?? ''}`);
      return new RetryLater(message, undefined, true);
  }
}

const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export interface OutboxOptions {
  /** How long an item stays claimed by one worker before another may take it over. */
  leaseMs?: number;
  /** How often the worker looks for due items when nothing wakes it. */
  pollMs?: number;
  batchSize?: number;
  /** Lanes remembered as holding every pending item, at most (see `knownLanes`). */
  knownLanesMax?: number;
  /** Lanes delivered at once; a lane itself is always sequential. */
  concurrency?: number;
  /** While this holds, one lane at a time: more urgent work (webhooks waiting for their 200) shares the process and the database. */
  yieldWhile?: () => boolean;
  /**
   * Told of each item set aside (failed for good), after it is recorded. It may answer 'retry' when it fixed
   * the cause: the item goes back to its place, and its lane waits for it. Its own failures are logged.
   */
  onSetAside?: (item: SetAside) => Promise<'retry' | undefined>;
}

const BACKOFF_BASE_MS = 1_000;
/** How long a read of the first pending items may stand for the next passes (see `cached`). */
const REREAD_MS = 5_000;
const BACKOFF_MAX_MS = 5 * 60_000;

export function backoffMs(attempt: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
}

/** What one pass over the due lane heads did, and when the soonest waiting head falls due. */
interface Pass {
  handled: number;
  nextDueInMs?: number;
}

/** What a worker needs of a pending item to order and pick the due ones. */
type Queued = Pick<OutboxItem, '_id' | 'lane' | 'seq' | 'attempts' | 'nextAttemptAt'>;

/** What delivering an item needs of it, as its claim found it. */
type Claimed = Pick<OutboxItem, '_id' | 'kind' | 'payload' | 'attempts' | 'maybeDone' | 'createdAt' | 'leaseUntil'>;

export class OutboxWorker {
  private readonly owner = randomUUID();
  private readonly options: Required<OutboxOptions>;
  private running = false;
  /**
   * A pass failed (the database went away mid-way): leases it took may be left unsettled, some
   * with their post made. They are ended before the next pass, rather than waiting out the lease.
   */
  private leasesLeft = false;
  private loop: Promise<void> | undefined;
  private readonly wakeup = new Wakeup();
  /**
   * The last read of the first pending items by `seq`, while it stands for what a read would find:
   * it was a full batch (items enqueued since come after all of it), and this worker keeps it up to
   * date with what it delivers and reschedules. A big backlog waiting for a paced channel's turns is
   * then not read again at every pass (the embedded database reads every pending item to answer),
   * only after REREAD_MS (longer after a slow read), once half of it is gone, or when another worker
   * took an item of it.
   */
  private cached: { items: Queued[]; standsUntil: number; lookedPast: boolean; batchLanes: Set<string>; behindComplete: boolean } | undefined;
  /** Enqueues heard of, to tell whether one came during a read (its items may be neither in it nor taken in). */
  private heard = 0;
  /**
   * Where this process is the database's one writer, while the worker runs (it hears every enqueue):
   * lanes that hold every pending item, as the last complete look past a batch found them, with the
   * lanes of every item enqueued since. A later batch that has each of them leaves nothing behind it,
   * and is not looked past (see `firstPending`).
   */
  private knownLanes: Set<string> | undefined;
  private readonly onWork = (work: { appended: true; items: Queued[] } | { appended: false }) => {
    this.heard++;
    if (work.appended) for (const item of work.items) this.knownLanes?.add(item.lane);
    else [this.cached, this.knownLanes] = [undefined, undefined];
    this.knownLanes = this.bounded(this.knownLanes);
    if (!this.cached || !work.appended || this.takeIn(this.cached, work.items)) this.wakeup.signal();
  };

  /**
   * Adds what this process just stored to the standing read, where that is what a read would find:
   * the read looked past the batch and found all there was behind it, and this process is the
   * database's one writer (the embedded database; another instance's items would be unknown here), so
   * a lane outside the batch holds nothing the read did not bring. A post for a quiet channel then goes
   * at once, where it would wait for the next read behind a busy channel's backlog (the embedded
   * database reads every pending item to answer). A lane's items must come in `seq` order: one that
   * would not drops the read. True when any was added.
   */
  private takeIn(cached: NonNullable<OutboxWorker['cached']>, items: readonly Queued[]): boolean {
    if (!cached.behindComplete) return false;
    const known = new Set(cached.items.map((i) => i._id));
    const lastSeq = new Map(cached.items.map((i) => [i.lane, i.seq]));
    let added = false;
    for (const item of items) {
      if (cached.batchLanes.has(item.lane) || known.has(item._id)) continue;
      if ((lastSeq.get(item.lane) ?? -Infinity) > item.seq) {
        this.cached = undefined;
        return true;
      }
      cached.items.push({ _id: item._id, lane: item.lane, seq: item.seq, attempts: item.attempts, nextAttemptAt: item.nextAttemptAt });
      lastSeq.set(item.lane, item.seq);
      added = true;
    }
    return added;
  }

  /** The lanes, unless more than `knownLanesMax`: every new conversation adds its lane, and batches whose heads are due are never looked past. */
  private bounded(lanes: Set<string> | undefined): Set<string> | undefined {
    return lanes && lanes.size <= this.options.knownLanesMax ? lanes : undefined;
  }

  constructor(
    private readonly deps: Pick<Deps, 'clock' | 'logger'>,
    private readonly handlers: Record<string, OutboxHandler>,
    options: OutboxOptions = {},
  ) {
    this.options = {
      leaseMs: 60_000,
      pollMs: 1_000,
      batchSize: 500,
      knownLanesMax: 5_000,
      concurrency: 8,
      yieldWhile: () => false,
      onSetAside: async () => undefined,
      ...options,
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    enqueued.on('work', this.onWork);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    enqueued.off('work', this.onWork);
    this.knownLanes = undefined;
    this.wakeup.signal();
    await this.loop;
  }

  /** Delivers everything due now, lane by lane, until nothing due is left; returns how many were handled. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const { handled } = await this.deliverDue();
      if (handled === 0) return total;
      total += handled;
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let pass: Pass = { handled: 0 };
      try {
        pass = await this.deliverDue();
      } catch (err) {
        this.deps.logger.error('outbox pass failed', { err });
      }
      if (pass.handled === 0 && this.running) await this.wakeup.sleep(Math.min(this.options.pollMs, pass.nextDueInMs ?? Infinity));
    }
  }

  /**
   * One pass: the first pending items by `seq` (an indexed query), delivered concurrently across
   * lanes, each lane in order. A lane whose head waits (backing off) waits as a whole: order beats speed.
   */
  private async deliverDue(): Promise<Pass> {
    if (this.leasesLeft) {
      await OutboxModel.updateMany({ leaseOwner: this.owner }, { $set: { leaseUntil: new Date(0) } });
      this.leasesLeft = false;
    }
    const now = this.deps.clock.now();
    const pending = await this.firstPending();
    const lanes = groupBy(pending, (item) => item.lane);
    const queue: Queued[][] = [];
    const waits: number[] = [];
    for (const items of lanes.values()) {
      const head = items[0];
      if (head && head.nextAttemptAt <= now) queue.push(items);
      else if (head) waits.push(head.nextAttemptAt.getTime() - now.getTime());
    }

    let handled = 0;
    const failures: unknown[] = [];
    const concurrency = this.options.yieldWhile() ? 1 : this.options.concurrency;
    const workers = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let lane = queue.shift(); lane; lane = queue.shift()) {
        try {
          for (const item of lane) {
            if (item.nextAttemptAt > now) break;
            const outcome = await this.deliverOne(item);
            if (outcome !== 'skipped') handled++;
            if (outcome !== 'done') break;
          }
        } catch (err) {
          failures.push(err);
        }
      }
    });
    await Promise.all(workers);
    if (failures.length > 0) {
      this.leasesLeft = true;
      this.cached = undefined;
      throw failures[0];
    }
    // A paced channel's next turn is often sooner than the next poll.
    return { handled, ...(waits.length > 0 ? { nextDueInMs: Math.min(...waits) } : {}) };
  }

  private async firstPending(): Promise<Queued[]> {
    const read = (filter: Record<string, unknown>) =>
      OutboxModel.find({ state: 'pending', ...filter }, { lane: 1, seq: 1, attempts: 1, nextAttemptAt: 1 }).sort({ seq: 1 }).limit(this.options.batchSize).lean<Queued[]>();
    let cached = this.cached;
    if (!cached || cached.items.length <= this.options.batchSize / 2 || performance.now() >= cached.standsUntil) {
      const started = performance.now();
      const items = await read({});
      if (items.length < this.options.batchSize) {
        this.cached = undefined;
        return items;
      }
      // A read that took long (a backlog of tens of thousands, on the embedded database) stands longer: re-reads take at most a twentieth of the time.
      const now = performance.now();
      cached = this.cached = { items, standsUntil: now + Math.max(REREAD_MS, 20 * (now - started)), lookedPast: false, batchLanes: new Set(items.map((i) => i.lane)), behindComplete: false };
    }
    // Every lane of a full batch waits (a paced channel's backlog, a Retry-After): the lanes behind it are read
    // too, once, lest they be hidden. Each of their items comes after the whole batch, so their heads are theirs.
    if (!cached.lookedPast && !hasDueHead(cached.items, this.deps.clock.now())) {
      cached.lookedPast = true;
      const batchLanes = cached.batchLanes;
      if (soleWriter() && this.knownLanes && [...this.knownLanes].every((lane) => batchLanes.has(lane))) {
        // Every lane with a pending item is in the batch: a paced channel's backlog is read once, not twice.
        cached.behindComplete = true;
      } else {
        const heardBefore = this.heard;
        const behind = await read({ lane: { $nin: [...batchLanes] } });
        cached.items.push(...behind);
        cached.behindComplete = soleWriter() && behind.length < this.options.batchSize && this.heard === heardBefore;
        this.knownLanes = cached.behindComplete && this.running ? this.bounded(new Set([...batchLanes, ...behind.map((i) => i.lane)])) : undefined;
      }
    }
    return cached.items;
  }

  /** 'done' (delivered or failed for good) lets the lane go on; 'waiting' holds it; 'skipped' is another worker's. */
  private async deliverOne(candidate: Queued): Promise<'done' | 'waiting' | 'skipped'> {
    const claimed = await this.claim(candidate);
    if (!claimed) {
      // Another worker has it, or had it: what was read no longer stands.
      this.cached = undefined;
      return 'skipped';
    }
    const { item, delivered } = claimed;
    if (delivered) {
      await this.finish(item._id, false);
      return 'done';
    }

    const handler = this.handlers[item.kind];
    const attempt = item.attempts + 1;
    // A lease left on the item: its holder died (or failed to settle) mid-delivery.
    const uncertain = item.maybeDone || item.leaseUntil != null;
    try {
      if (!handler) throw new PermanentFailure(`no handler for outbox kind ${item.kind}`);
      await handler(asRecord(item.payload), { key: item._id, attempt, uncertain, enqueuedAt: item.createdAt });
    } catch (err) {
      const failure = classifySlackError(err);
      if (failure instanceof NotYet) {
        this.deps.logger.debug('outbox item waits its turn', { key: item._id, kind: item.kind, waitMs: failure.waitMs, reason: failure.message });
        // The same attempt comes back: if it took over from a worker that died mid-delivery, it must still check first.
        await this.settle(item._id, { nextAttemptAt: new Date(this.deps.clock.now().getTime() + failure.waitMs), maybeDone: uncertain });
      } else if (failure instanceof PermanentFailure) {
        this.deps.logger.error('outbox item set aside', { key: item._id, kind: item.kind, reason: failure.message });
        await this.settle(item._id, { state: 'failed', attempts: attempt, lastError: failure.message, ...(failure.slackError ? { slackError: failure.slackError } : {}) });
        const setAside: SetAside = {
          key: item._id,
          kind: item.kind,
          payload: asRecord(item.payload),
          reason: failure.message,
          attempt,
          ...(failure.slackError ? { slackError: failure.slackError } : {}),
        };
        const next = await this.options.onSetAside(setAside).catch((err: unknown) => {
          this.deps.logger.error('handling a set-aside item failed', { key: item._id, err });
          return undefined;
        });
        if (next !== 'retry') return 'done';
        await retrySetAside([item._id], this.deps.clock.now(), attempt);
      } else {
        const delay = Math.max(failure.retryAfterMs ?? 0, backoffMs(attempt));
        this.deps.logger.warn('outbox delivery will be retried', { key: item._id, kind: item.kind, attempt, delayMs: delay, reason: failure.message });
        await this.settle(item._id, {
          state: 'pending',
          attempts: attempt,
          maybeDone: failure.maybeDone,
          lastError: failure.message,
          nextAttemptAt: new Date(this.deps.clock.now().getTime() + delay),
        });
      }
      return 'waiting';
    }
    // Until it is settled the item keeps its lease: should the bookkeeping fail, it is taken over once the
    // lease runs out, as uncertain, and its post is looked for before it is made again.
    await this.finish(item._id, true);
    return 'done';
  }

  /**
   * Leases the item for this attempt unless another worker holds a live lease on it (a guarded
   * update: of concurrent claimants one gets the item back). Also asks whether its key was delivered
   * before: a redelivered webhook may have enqueued a delivered key again (see `enqueue`), and a
   * worker may have died between the tombstone and the item's removal.
   */
  private async claim(candidate: Queued): Promise<{ item: Claimed; delivered: boolean } | undefined> {
    const now = this.deps.clock.now();
    const [item, stone] = await Promise.all([
      guarded(outboxKey(candidate._id), () =>
        OutboxModel.findOneAndUpdate(
          { _id: candidate._id, state: 'pending', attempts: candidate.attempts, $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }] },
          { $set: { leaseOwner: this.owner, leaseUntil: new Date(now.getTime() + this.options.leaseMs) } },
        ).lean<Claimed>(),
      ),
      DeliveredModel.exists({ _id: candidate._id }),
    ]);
    return item ? { item, delivered: stone !== null } : undefined;
  }

  /** Records the attempt's outcome and gives up the lease, unless another worker took it over meanwhile. */
  private async settle(id: string, changes: Partial<Pick<OutboxItem, 'state' | 'attempts' | 'maybeDone' | 'lastError' | 'slackError' | 'nextAttemptAt'>>): Promise<void> {
    await guarded(outboxKey(id), () => OutboxModel.updateOne({ _id: id, leaseOwner: this.owner }, { $set: changes, $unset: { leaseOwner: 1, leaseUntil: 1 } }));
    const item = this.cached?.items.find((i) => i._id === id);
    if (!item) return;
    if (changes.state === 'failed') this.forget(id);
    else Object.assign(item, { ...(changes.attempts !== undefined ? { attempts: changes.attempts } : {}), ...(changes.nextAttemptAt ? { nextAttemptAt: changes.nextAttemptAt } : {}) });
  }

  private forget(id: string): void {
    if (this.cached) this.cached.items = this.cached.items.filter((i) => i._id !== id);
  }

  /** Delivered (now or before): the tombstone stays, the item goes. */
  private async finish(id: string, tombstone: boolean): Promise<void> {
    if (tombstone) {
      await DeliveredModel.create({ _id: id, at: this.deps.clock.now() }).catch((err: unknown) => {
        // Already there: a worker died between an item's tombstone and its removal.
        if (!isDuplicateKey(err)) throw err;
      });
    }
    await guarded(outboxKey(id), () => OutboxModel.deleteOne({ _id: id, leaseOwner: this.owner }));
    this.forget(id);
  }
}

/** Whether any lane's first item among these (in `seq` order) is due. */
function hasDueHead(items: readonly Queued[], now: Date): boolean {
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.lane)) continue;
    seen.add(item.lane);
    if (item.nextAttemptAt <= now) return true;
  }
  return false;
}

function outboxKey(id: string): string {
  return `outbox:${id}`;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? Object.fromEntries(Object.entries(value)) : {};
}

/**
 * Puts set-aside items back in their lanes, due now, with `attempts` counted (a fresh count for an admin's
 * Retry). Their `seq` is kept, so each goes ahead of what its lane queued since. Returns how many were put back.
 */
export async function retrySetAside(keys: readonly string[], now: Date, attempts = 0): Promise<number> {
  if (keys.length === 0) return 0;
  const res = await OutboxModel.updateMany(
    { _id: { $in: keys }, state: 'failed' },
    { $set: { state: 'pending', attempts, nextAttemptAt: now, maybeDone: false }, $unset: { lastError: 1, slackError: 1 } },
  );
  enqueued.emit('work', { appended: false });
  return res.modifiedCount;
}

/**
 * How long a delivered key's tombstone is kept. It stops a webhook delivered again from posting
 * again; Meta retries an unacknowledged webhook for up to seven days, and the journal hands an
 * entry over within a minute, so a month leaves a wide margin and keeps the collection to a month of posts.
 */
export const DELIVERED_KEPT_MS = 30 * 24 * 3_600_000;
const PRUNE_BATCH = 1_000;

/**
 * Removes the tombstones written before `before`, a batch at a time, and returns how many. No index
 * on `at` (one more write on every post): tombstones are written in time order, so a scan in natural
 * order meets the old ones first and stops at a batch.
 */
export async function pruneDelivered(before: Date, batchSize = PRUNE_BATCH): Promise<number> {
  let removed = 0;
  for (;;) {
    const old = await DeliveredModel.find({ at: { $lt: before } }, { _id: 1 }).limit(batchSize).lean();
    if (old.length === 0) return removed;
    const res = await DeliveredModel.deleteMany({ _id: { $in: old.map((t) => t._id) } });
    removed += res.deletedCount;
    if (old.length < batchSize) return removed;
  }
}

/** Daily, at a quiet hour of the service's time zone: tombstones older than `DELIVERED_KEPT_MS` go. */
export function outboxJobs(deps: Pick<Deps, 'clock' | 'logger'>): Job[] {
  return [
    {
      name: 'outbox-tombstones',
      schedule: '23 3 * * *',
      run: async () => {
        const removed = await pruneDelivered(new Date(deps.clock.now().getTime() - DELIVERED_KEPT_MS));
        if (removed > 0) deps.logger.info('delivered keys older than the redelivery margin removed', { removed });
      },
    },
  ];
}
