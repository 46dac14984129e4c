import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ErrorCode } from '@slack/web-api';
import { z } from 'zod';
import type { Deps } from '../context';
import { Batcher, uniqueInserts } from '../store/batcher';
import { claimTurn, expireTurns, forgetTurn, forgetTurns, type Turn } from '../store/claims';
import { driverCollection, duplicatePositions, storedMixed } from '../store/database';
import { DeliveredModel, OutboxModel, type OutboxItem } from '../store/models';
import { KnownPending, type Queued } from './known';
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

/** Tells workers what was stored: the items, or 'unknown' when an insert failed part-way and the outbox must be read again. */
const enqueued = new EventEmitter<{ work: [Queued[] | 'unknown'] }>();
let lastSeq = 0;

/** A number that only grows within this process, and roughly with time across processes. */
function nextSeq(now: Date): number {
  lastSeq = Math.max(lastSeq + 1, now.getTime() * 1000);
  return lastSeq;
}

/**
 * Stores the items (ignoring keys already stored) and wakes the worker. A key
 * already delivered may be stored again here; the worker drops it unposted.
 */
export async function enqueue(items: EnqueueInput[], now: Date): Promise<void> {
  if (items.length === 0) return;
  // The documents `OutboxModel.insertMany` would store (defaults, version key, timestamps, the payload as mongoose
  // stores a Mixed value), inserted by the driver: building and validating them in mongoose costs about as much CPU again.
  const stamp = new Date();
  const docs = items.map(({ key, lane, kind, payload }) => ({
    _id: key,
    lane,
    seq: nextSeq(now),
    kind,
    payload: storedMixed(payload),
    state: 'pending' as const,
    attempts: 0,
    nextAttemptAt: now,
    maybeDone: false,
    __v: 0,
    createdAt: stamp,
    updatedAt: stamp,
  }));
  let stored: (boolean | undefined)[];
  try {
    stored = await inserts.addAll(docs);
  } catch (err) {
    enqueued.emit('work', 'unknown');
    throw err;
  }
  // Only what was stored now: a duplicate's stored copy keeps its own place in its lane.
  enqueued.emit('work', queuedOf(docs.filter((_, n) => stored[n] === true)));
}

// Items enqueued by concurrent callers (customers ingested side by side) share one insert.
const inserts = uniqueInserts<OutboxItem & { _id: string }>((docs) => outboxItems().insertMany(docs, { ordered: false, ignoreUndefined: true }));

function queuedOf(docs: (Queued & Record<string, unknown>)[]): Queued[] {
  return docs.map(({ _id, lane, seq, attempts, nextAttemptAt }) => ({ _id, lane, seq, attempts, nextAttemptAt }));
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
  /** How often it reads the outbox for items other instances stored (this process's own it learns of at once). */
  rereadMs?: number;
  batchSize?: number;
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
const BACKOFF_MAX_MS = 5 * 60_000;

export function backoffMs(attempt: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
}

/** What one pass over the due lane heads did, and when the soonest waiting head falls due. */
interface Pass {
  handled: number;
  nextDueInMs?: number;
}

export class OutboxWorker {
  private readonly owner = randomUUID();
  private readonly options: Required<OutboxOptions>;
  private running = false;
  /**
   * A pass failed (the database went away mid-way): turns it claimed may be left unsettled, some
   * with their post made. They are ended before the next pass, rather than waiting out the lease.
   */
  private turnsLeft = false;
  private loop: Promise<void> | undefined;
  private readonly wakeup = new Wakeup();
  private readonly known: KnownPending;
  private readonly reading = new Batcher<string, ClaimedRead>(readClaimed);
  private readonly finishing = new Batcher<Finished>((batch) => finishAll(batch, this.deps.clock.now()));
  private readonly onWork = (items: Queued[] | 'unknown') => {
    if (items === 'unknown') this.known.invalidate();
    else this.known.stored(items);
    this.wakeup.signal();
  };

  constructor(
    private readonly deps: Pick<Deps, 'clock' | 'logger'>,
    private readonly handlers: Record<string, OutboxHandler>,
    options: OutboxOptions = {},
  ) {
    this.options = {
      leaseMs: 60_000,
      pollMs: 1_000,
      rereadMs: 5_000,
      batchSize: 500,
      concurrency: 8,
      yieldWhile: () => false,
      onSetAside: async () => undefined,
      ...options,
    };
    this.known = new KnownPending(readPending, { readLimit: 10_000, rereadMs: this.options.rereadMs, readShare: 0.05 });
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
    this.wakeup.signal();
    await this.loop;
  }

  /** Delivers everything due now, lane by lane, until nothing due is left, reading the outbox each pass; returns how many were handled. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const { handled } = await this.deliverDue(true);
      if (handled === 0) return total;
      total += handled;
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let pass: Pass = { handled: 0 };
      try {
        pass = await this.deliverDue(false);
      } catch (err) {
        this.known.invalidate();
        this.deps.logger.error('outbox pass failed', { err });
      }
      if (pass.handled === 0 && this.running) await this.wakeup.sleep(Math.min(this.options.pollMs, pass.nextDueInMs ?? Infinity));
    }
  }

  /**
   * One pass: the lanes whose head is due, delivered concurrently across lanes, each
   * lane in order through the first pending items by `seq`: as known (see KnownPending),
   * or read from the outbox (`reread`). A lane whose head waits (backing off) waits as
   * a whole: order beats speed.
   */
  private async deliverDue(reread: boolean): Promise<Pass> {
    if (this.turnsLeft) {
      await expireTurns(this.owner);
      this.turnsLeft = false;
    }
    const now = this.deps.clock.now();
    const pending = await this.known.first(this.options.batchSize, reread);
    const lanes = new Map<string, Queued[]>();
    for (const item of pending) {
      const lane = lanes.get(item.lane);
      if (lane) lane.push(item);
      else lanes.set(item.lane, [item]);
    }
    const queue: { items: Queued[]; head: Promise<Claim | undefined> }[] = [];
    const waits: number[] = [];
    for (const items of lanes.values()) {
      const head = items[0];
      if (head && head.nextAttemptAt <= now) {
        // Every due head is claimed (and read) now, all at once: one insert and two reads for all the lanes,
        // where a lane at a time would pay them lane by lane. Each lane's worker then takes its own.
        const claimed = this.claim(head);
        claimed.catch(() => undefined); // awaited by the lane; a failure must not go unhandled meanwhile
        queue.push({ items, head: claimed });
      } else if (head) waits.push(head.nextAttemptAt.getTime() - now.getTime());
    }

    let handled = 0;
    const failures: unknown[] = [];
    // A delivered item's bookkeeping (see `finish`) holds up only its own lane: the worker goes on to the next
    // lane meanwhile, so lanes' bookkeeping shares writes even one lane at a time. The pass ends when it is done.
    const settling: Promise<void>[] = [];
    const concurrency = this.options.yieldWhile() ? 1 : this.options.concurrency;
    const workers = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let lane = queue.shift(); lane; lane = queue.shift()) {
        let previous: Promise<void> | undefined;
        try {
          for (const [n, item] of lane.items.entries()) {
            if (item.nextAttemptAt > now) break;
            await previous;
            const { outcome, settled } = await this.deliverOne(item, n === 0 ? lane.head : this.claim(item));
            if (outcome !== 'skipped') handled++;
            if (settled) {
              // Awaited below (and by the lane's next item); a failure must not go unhandled meanwhile.
              settled.catch(() => undefined);
              settling.push(settled);
              previous = settled;
            }
            if (outcome !== 'done') break;
          }
        } catch (err) {
          // Every lane is still gone through, so no head claimed above is left unused.
          failures.push(err);
        }
      }
    });
    await Promise.all(workers);
    for (const result of await Promise.allSettled(settling)) if (result.status === 'rejected') failures.push(result.reason);
    if (failures.length > 0) {
      this.turnsLeft = true;
      throw failures[0];
    }
    // A paced channel's next turn is often sooner than the next poll.
    return { handled, ...(waits.length > 0 ? { nextDueInMs: Math.min(...waits) } : {}) };
  }

  /**
   * 'done' (delivered or failed for good) lets the lane go on; 'waiting' holds it; 'skipped' is another
   * worker's. A delivered item's bookkeeping is `settled` later.
   */
  private async deliverOne(candidate: Queued, claim: Promise<Claim | undefined>): Promise<{ outcome: 'done' | 'waiting' | 'skipped'; settled?: Promise<void> }> {
    const claimed = await claim;
    if (!claimed) {
      // Held or settled by another worker: what this one knows of it is out of date.
      this.known.invalidate();
      return { outcome: 'skipped' };
    }
    const { item, turn, delivered } = claimed;
    if (delivered) return { outcome: 'done', settled: this.finish({ id: item._id, turn, tombstone: false }) };

    const handler = this.handlers[item.kind];
    const attempt = item.attempts + 1;
    const uncertain = item.maybeDone || turn.tookOver;
    try {
      if (!handler) throw new PermanentFailure(`no handler for outbox kind ${item.kind}`);
      await handler(asRecord(item.payload), { key: item._id, attempt, uncertain, enqueuedAt: item.createdAt });
    } catch (err) {
      const failure = classifySlackError(err);
      if (failure instanceof NotYet) {
        this.deps.logger.debug('outbox item waits its turn', { key: item._id, kind: item.kind, waitMs: failure.waitMs, reason: failure.message });
        // The same attempt comes back: if it took over from a worker that died mid-delivery, it must still check first.
        await this.settle(candidate, turn, { nextAttemptAt: new Date(this.deps.clock.now().getTime() + failure.waitMs), maybeDone: uncertain });
      } else if (failure instanceof PermanentFailure) {
        this.deps.logger.error('outbox item set aside', { key: item._id, kind: item.kind, reason: failure.message });
        await this.settle(candidate, turn, { state: 'failed', attempts: attempt, lastError: failure.message, ...(failure.slackError ? { slackError: failure.slackError } : {}) });
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
        if (next !== 'retry') return { outcome: 'done' };
        await retrySetAside([item._id], this.deps.clock.now(), attempt);
        return { outcome: 'waiting' };
      } else {
        const delay = Math.max(failure.retryAfterMs ?? 0, backoffMs(attempt));
        this.deps.logger.warn('outbox delivery will be retried', { key: item._id, kind: item.kind, attempt, delayMs: delay, reason: failure.message });
        await this.settle(candidate, turn, {
          state: 'pending',
          attempts: attempt,
          maybeDone: failure.maybeDone,
          lastError: failure.message,
          nextAttemptAt: new Date(this.deps.clock.now().getTime() + delay),
        });
      }
      return { outcome: 'waiting' };
    }
    // Until it is settled the item stays claimed: should the bookkeeping fail, it is taken over once the
    // claim runs out, as uncertain, and its post is looked for before it is made again.
    return { outcome: 'done', settled: this.finish({ id: item._id, turn, tombstone: true }) };
  }

  /**
   * Takes this attempt of the item unless another worker holds a live claim on it,
   * then re-reads it: a worker that finished it meanwhile has already settled it.
   * Also asks whether its key was delivered before: a redelivered webhook may have
   * enqueued a delivered key again (see `enqueue`), and a worker may have died between
   * the tombstone and the item's removal. Lanes that claim at once share the reads.
   */
  private async claim(candidate: Queued): Promise<Claim | undefined> {
    const turn = await claimTurn(attemptResource(candidate), this.owner, this.deps.clock.now(), this.options.leaseMs);
    if (!turn) return undefined;
    const { item, delivered } = (await this.reading.add(candidate._id)) ?? { delivered: false };
    if (!item || item.state !== 'pending' || item.attempts !== candidate.attempts) {
      // Settled by another worker between our read and our claim (it forgot its turns, so ours could be taken): ours goes too.
      await forgetTurn(turn).catch((err: unknown) => this.deps.logger.warn('outbox claim of a settled item not removed', { key: candidate._id, err }));
      return undefined;
    }
    return { item, turn, delivered };
  }

  private async settle(item: Queued, turn: Turn, changes: Partial<Pick<OutboxItem, 'state' | 'attempts' | 'maybeDone' | 'lastError' | 'slackError' | 'nextAttemptAt'>>): Promise<void> {
    await OutboxModel.updateOne({ _id: item._id }, { $set: changes });
    const { attempts = item.attempts, nextAttemptAt = item.nextAttemptAt } = changes;
    this.known.changed(item._id, changes.state === 'failed' ? undefined : { ...item, attempts, nextAttemptAt });
    // Only after the item has changed: a claim of this attempt that found it still unsettled would deliver it again.
    await forgetTurns(turn);
  }

  /** Delivered (now or before): the tombstone stays, the item goes. Lanes that finish at once share the writes. */
  private async finish(finished: Finished): Promise<void> {
    await this.finishing.add(finished);
    this.known.changed(finished.id, undefined);
  }
}

/** An attempt of an item, claimed: the item as read then, the turn, and whether its key was delivered before. */
interface Claim {
  item: Claimed;
  turn: Turn;
  delivered: boolean;
}

/** What delivering an item needs of it, read once its attempt is claimed. */
type Claimed = Pick<OutboxItem, '_id' | 'kind' | 'payload' | 'state' | 'attempts' | 'maybeDone' | 'createdAt'>;

interface ClaimedRead {
  /** Undefined when the item is gone: settled by another worker. */
  item: Claimed | undefined;
  delivered: boolean;
}

/** Claimed items, and whether their keys were delivered before: two reads for any number, each on _id alone. */
async function readClaimed(ids: string[]): Promise<ClaimedRead[]> {
  const [items, stones] = await Promise.all([
    // Plain objects: nothing here is saved back, and hydrating a document costs more CPU than reading it.
    OutboxModel.find({ _id: { $in: ids } }, { kind: 1, payload: 1, state: 1, attempts: 1, maybeDone: 1, createdAt: 1 }).lean<Claimed[]>(),
    tombstones().find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray(),
  ]);
  const byId = new Map(items.map((item) => [item._id, item]));
  const delivered = new Set(stones.map((stone) => stone._id));
  return ids.map((id) => ({ item: byId.get(id), delivered: delivered.has(id) }));
}

/** A delivered item, to be settled: its claim, and whether it still needs its tombstone (not when delivered before). */
interface Finished {
  id: string;
  turn: Turn;
  tombstone: boolean;
}

/** Three statements for any number of delivered items, each by _id: the tombstones first, so no item goes unrecorded. */
async function finishAll(batch: Finished[], at: Date): Promise<void> {
  const fresh = batch.filter((f) => f.tombstone).map((f) => ({ _id: f.id, at }));
  if (fresh.length > 0) {
    // The driver's own insert: a tombstone has nothing to cast, and mongoose's `insertMany` costs a few times the CPU.
    await tombstones().insertMany(fresh, { ordered: false }).catch((err: unknown) => {
      // Already there: a worker died between an item's tombstone and its removal.
      if (!duplicatePositions(err)) throw err;
    });
  }
  await outboxItems().deleteMany({ _id: { $in: batch.map((f) => f.id) } });
  await forgetTurns(...batch.map((f) => f.turn));
}

/** The first pending items by `seq`, only what ordering needs: the payload is read with the claim. */
function readPending(limit: number): Promise<Queued[]> {
  return OutboxModel.find({ state: 'pending' }, { lane: 1, seq: 1, attempts: 1, nextAttemptAt: 1 }).sort({ seq: 1 }).limit(limit).lean<Queued[]>().exec();
}

function outboxItems() {
  return driverCollection<OutboxItem>(OutboxModel);
}

function tombstones() {
  return driverCollection<{ _id: string; at: Date }>(DeliveredModel);
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? Object.fromEntries(Object.entries(value)) : {};
}

function attemptResource(item: Pick<OutboxItem, '_id' | 'attempts'>): string {
  return `outbox:${item._id}:${item.attempts}`;
}

/** Which of these keys the outbox has seen: still to do, failed, or delivered. */
export async function knownOutboxKeys(keys: string[]): Promise<Set<string>> {
  const known = new Set<string>();
  // One lookup by _id each: the only query every MongoDB-wire server answers from an index.
  await Promise.all(
    keys.map(async (key) => {
      if ((await OutboxModel.exists({ _id: key })) || (await DeliveredModel.exists({ _id: key }))) known.add(key);
    }),
  );
  return known;
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
  // Workers learn of them as of work another instance stored: by reading the outbox again.
  enqueued.emit('work', 'unknown');
  return res.modifiedCount;
}
