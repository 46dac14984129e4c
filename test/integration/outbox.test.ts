import { WebAPIRequestError } from '@slack/web-api';
import mongoose, { type mongo } from 'mongoose';
import { createLogger } from '../../src/log';
import { DELIVERED_KEPT_MS, NotYet, OutboxWorker, PermanentFailure, RetryLater, backoffMs, classifySlackError, enqueue, outboxJobs, pruneDelivered, type OutboxOptions } from '../../src/outbox';
import { loadConfig } from '../../src/config';
import { startJobs } from '../../src/jobs';
import { configureWriteGuards } from '../../src/store/database';
import { serializeWritesInProcess } from '../../src/store/guard';
import { DeliveredModel, OutboxModel } from '../../src/store/models';
import { TestClock, requireTestDbUri, uniqueDbName } from '../helpers/service';
import { waitFor } from '../drills/support';

const logger = createLogger('error', () => undefined);

describe('the outbox', () => {
  const clock = new TestClock();
  const delivered: string[] = [];
  /** Errors to throw, per item text, before delivering it. */
  let failures: Record<string, Error[]> = {};
  const handlers = {
    record: async (payload: Record<string, unknown>) => {
      const failure = failures[String(payload.text)]?.shift();
      if (failure) throw failure;
      delivered.push(String(payload.text));
    },
  };

  beforeAll(async () => {
    await mongoose.connect(requireTestDbUri(), { dbName: uniqueDbName(), monitorCommands: true });
    await Promise.all([OutboxModel.createIndexes(), DeliveredModel.createIndexes()]);
    await configureWriteGuards();
  });
  afterAll(() => mongoose.disconnect());
  beforeEach(async () => {
    await Promise.all([OutboxModel.deleteMany({}), DeliveredModel.deleteMany({})]);
    delivered.length = 0;
    failures = {};
  });

  const item = (key: string, lane: string, text = key) => ({ key, lane, kind: 'record', payload: { text } });
  /** Items holding a lease: none once every attempt is settled. */
  const leases = () => OutboxModel.countDocuments({ leaseOwner: { $exists: true } });
  /** A worker that took the item's lease and died. */
  const diedHolding = (key: string) => OutboxModel.updateOne({ _id: key }, { $set: { leaseOwner: 'dead-worker', leaseUntil: new Date(clock.now().getTime() + 60_000) } });

  /** The database commands sent while `body` runs, in order. */
  async function commandsDuring(body: () => Promise<unknown>): Promise<{ name: string; command: Record<string, unknown> }[]> {
    const commands: { name: string; command: Record<string, unknown> }[] = [];
    const record = (e: { commandName: string; command: Record<string, unknown> }) => commands.push({ name: e.commandName, command: e.command });
    mongoose.connection.getClient().on('commandStarted', record);
    try {
      await body();
    } finally {
      mongoose.connection.getClient().off('commandStarted', record);
    }
    return commands;
  }

  it('stores an item once per key, however often it is enqueued', async () => {
    await enqueue([item('a', 'L1')], clock.now());
    await Promise.all([enqueue([item('a', 'L1')], clock.now()), enqueue([item('a', 'L1'), item('b', 'L1')], clock.now())]);
    expect(await OutboxModel.countDocuments({})).toBe(2);
    await new OutboxWorker({ clock, logger }, handlers).drain();
    expect(delivered).toEqual(['a', 'b']);
  });

  it('never posts a key again once delivered, even when a redelivery enqueues it anew', async () => {
    await enqueue([item('a', 'L1')], clock.now());
    const worker = new OutboxWorker({ clock, logger }, handlers);
    await worker.drain();
    await enqueue([item('a', 'L1'), item('b', 'L1')], clock.now());
    await worker.drain();
    expect(delivered).toEqual(['a', 'b']);
    expect(await OutboxModel.countDocuments({})).toBe(0);
    expect((await DeliveredModel.find({}, { _id: 1 }).lean()).map((d) => d._id).sort()).toEqual(['a', 'b']);
    expect(await leases()).toBe(0);
  });

  it('lets a lane pass that lies beyond a whole batch of waiting ones (a busy paced channel hides no other)', async () => {
    await enqueue([item('1', 'L1'), item('2', 'L1'), item('3', 'L2'), item('4', 'L2')], clock.now());
    await enqueue([item('x', 'L3'), item('y', 'L3')], clock.now());
    failures = { '1': [new RetryLater('rate limited', 30_000)], '3': [new NotYet('paced', 30_000)] };
    const worker = new OutboxWorker({ clock, logger }, handlers, { batchSize: 4 });
    await worker.drain();
    expect(delivered).toEqual(['x', 'y']);
    clock.advance(30_000);
    await worker.drain();
    expect(delivered.slice(2).sort()).toEqual(['1', '2', '3', '4']);
    expect(delivered.indexOf('1')).toBeLessThan(delivered.indexOf('2'));
    expect(delivered.indexOf('3')).toBeLessThan(delivered.indexOf('4'));
  });

  it('keeps a lane in order while its head waits out a Retry-After, and lets other lanes pass', async () => {
    await enqueue([item('1', 'L1'), item('2', 'L1'), item('x', 'L2')], clock.now());
    failures = { '1': [new RetryLater('rate limited', 30_000)] };
    const worker = new OutboxWorker({ clock, logger }, handlers);
    await worker.drain();
    expect(delivered).toEqual(['x']);
    clock.advance(29_000);
    await worker.drain();
    expect(delivered).toEqual(['x']);
    clock.advance(1_000);
    await worker.drain();
    expect(delivered).toEqual(['x', '1', '2']);
    // Delivered: a tombstone stays, the item leaves the outbox, and no claim is left of any attempt.
    expect(await DeliveredModel.exists({ _id: '1' })).toBeTruthy();
    expect(await OutboxModel.exists({ _id: '1' })).toBeNull();
    expect(await leases()).toBe(0);
  });

  it('backs off exponentially on failures without Retry-After', async () => {
    expect([1, 2, 3, 20].map(backoffMs)).toEqual([1_000, 2_000, 4_000, 300_000]);
    await enqueue([item('1', 'L1')], clock.now());
    failures = { '1': [new Error('socket hang up'), new Error('socket hang up')] };
    const worker = new OutboxWorker({ clock, logger }, handlers);
    await worker.drain();
    clock.advance(1_000);
    await worker.drain();
    clock.advance(1_999);
    await worker.drain();
    expect(delivered).toEqual([]);
    clock.advance(1);
    await worker.drain();
    expect(delivered).toEqual(['1']);
  });

  it('marks a permanent failure once and moves the lane on', async () => {
    await enqueue([item('1', 'L1'), item('2', 'L1')], clock.now());
    failures = { '1': [new PermanentFailure('channel_not_found')] };
    await new OutboxWorker({ clock, logger }, handlers).drain();
    expect(delivered).toEqual(['2']);
    expect(await OutboxModel.findById('1')).toMatchObject({ state: 'failed', lastError: 'channel_not_found', attempts: 1 });
    expect(await leases()).toBe(0);
  });

  it('brings an item whose turn has not come back at its turn, as the same attempt, without backing off', async () => {
    await enqueue([item('1', 'L1'), item('2', 'L1')], clock.now());
    failures = { '1': [new NotYet('channel paced', 2_500), new NotYet('channel paced', 100)] };
    const worker = new OutboxWorker({ clock, logger }, handlers);
    await worker.drain();
    expect(delivered).toEqual([]);
    expect(await OutboxModel.findById('1')).toMatchObject({ state: 'pending', attempts: 0, nextAttemptAt: new Date(clock.now().getTime() + 2_500) });
    clock.advance(2_499);
    await worker.drain();
    expect(delivered).toEqual([]);
    clock.advance(1);
    await worker.drain();
    clock.advance(100);
    await worker.drain();
    expect(delivered).toEqual(['1', '2']);
    expect(await DeliveredModel.exists({ _id: '1' })).toBeTruthy();
    expect(await leases()).toBe(0);
  });

  it('delivers each item exactly once when two workers run at the same moment', async () => {
    const items = Array.from({ length: 40 }, (_, i) => item(`k${i}`, `L${i % 5}`));
    await enqueue(items, clock.now());
    const a = new OutboxWorker({ clock, logger }, handlers);
    const b = new OutboxWorker({ clock, logger }, handlers);
    await Promise.all([a.drain(), b.drain(), a.drain()]);
    expect([...delivered].sort()).toEqual(items.map((i) => i.key).sort());
    for (let lane = 0; lane < 5; lane++) {
      const inLane = delivered.filter((k) => Number(k.slice(1)) % 5 === lane);
      expect(inLane).toEqual([...inLane].sort((x, y) => Number(x.slice(1)) - Number(y.slice(1))));
    }
    // A worker that claims an attempt another has just settled gives its claim back.
    expect(await leases()).toBe(0);
  });

  it('takes over an item whose worker died holding it, once the lease has run out', async () => {
    await enqueue([item('1', 'L1')], clock.now());
    await diedHolding('1');
    const worker = new OutboxWorker({ clock, logger }, handlers);
    await worker.drain();
    expect(delivered).toEqual([]);
    clock.advance(60_000);
    await worker.drain();
    expect(delivered).toEqual(['1']);
    expect(await leases()).toBe(0);
  });

  it('finishes, without delivering again, an item whose worker died between its tombstone and its removal', async () => {
    await enqueue([item('1', 'L1')], clock.now());
    await diedHolding('1');
    await DeliveredModel.create({ _id: '1', at: clock.now() });
    clock.advance(60_000);
    await new OutboxWorker({ clock, logger }, handlers).drain();
    expect(delivered).toEqual([]);
    expect(await OutboxModel.countDocuments({})).toBe(0);
    expect(await leases()).toBe(0);
  });

  /** Handlers that hold every delivery until `count` have started, then let them all finish at once. */
  function finishingTogether(count: number, during?: (key: string) => Promise<void>) {
    let started = 0;
    let release: () => void = () => undefined;
    const together = new Promise<void>((resolve) => (release = resolve));
    return {
      record: async (payload: Record<string, unknown>, ctx: { key: string }) => {
        if (++started === count) release();
        await together;
        await during?.(ctx.key);
        delivered.push(String(payload.text));
      },
    };
  }

  it('lets exactly one of concurrent claimants of an item deliver it', async () => {
    await enqueue([item('contested', 'L1')], clock.now());
    const workers = Array.from({ length: 6 }, () => new OutboxWorker({ clock, logger }, finishingTogether(1)));
    const handled = await Promise.all(workers.map((w) => w.drain()));
    expect(delivered).toEqual(['contested']);
    expect(handled.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await DeliveredModel.countDocuments({ _id: 'contested' })).toBe(1);
    expect(await OutboxModel.countDocuments({})).toBe(0);
  });

  it('reads what is pending with one indexed query a pass, and claims each head with one guarded update', async () => {
    const keys = Array.from({ length: 8 }, (_, n) => `t${n}`);
    await enqueue(keys.map((key, n) => item(key, `L${n}`)), clock.now());
    const commands = await commandsDuring(() => new OutboxWorker({ clock, logger }, handlers).drain());
    const reads = commands.filter(({ name, command }) => name === 'find' && command.find === 'outboxitems' && JSON.stringify(command.filter) === '{"state":"pending"}');
    expect(reads.length).toBe(2); // the pass that delivers, and the one that finds nothing left
    expect(commands.filter(({ name, command }) => name === 'findAndModify' && command.findAndModify === 'outboxitems')).toHaveLength(keys.length);
    expect([...delivered].sort()).toEqual(keys);
    expect(await OutboxModel.countDocuments({})).toBe(0);
    expect(await leases()).toBe(0);
  });

  it('when settling a delivered item fails, the pass fails, and the next pass takes the item over at once, as uncertain', async () => {
    const uncertainOf: Record<string, boolean[]> = {};
    const lookingFirst = {
      record: async (payload: Record<string, unknown>, ctx: { uncertain: boolean }) => {
        const text = String(payload.text);
        (uncertainOf[text] ??= []).push(ctx.uncertain);
        // As postOnce does: an uncertain attempt looks for an earlier post first.
        if (ctx.uncertain && delivered.includes(text)) return;
        delivered.push(text);
      },
    };
    await enqueue([item('1', 'L1'), item('2', 'L1'), item('3', 'L2')], clock.now());
    const failOnce = jest.spyOn(DeliveredModel, 'create').mockRejectedValueOnce(new Error('database went away'));
    // One lane at a time: L2's head was claimed with L1's, and is still delivered and settled in the failed pass.
    const worker = new OutboxWorker({ clock, logger }, lookingFirst, { leaseMs: 60_000, yieldWhile: () => true });
    try {
      await expect(worker.drain()).rejects.toThrow('database went away');
    } finally {
      failOnce.mockRestore();
    }
    // L1 stopped behind the item whose settling failed.
    expect(delivered).toEqual(['1', '3']);
    expect(await leases()).toBe(1);
    // Its claim is ended rather than waited out (60 s here): the database may have failed mid-way, and is back.
    await worker.drain();
    expect(delivered).toEqual(['1', '3', '2']);
    expect(uncertainOf).toEqual({ '1': [false, true], '2': [false], '3': [false] });
    expect(await OutboxModel.countDocuments({})).toBe(0);
    expect(await leases()).toBe(0);
  });

  it('settles a batch in which one tombstone is there already (its earlier worker wrote it late), and records the others', async () => {
    const keys = ['late', 'a', 'b'];
    await enqueue(keys.map((key) => item(key, `L-${key}`)), clock.now());
    const lateTombstone = async (key: string) => {
      if (key === 'late') await DeliveredModel.create({ _id: 'late', at: clock.now() });
    };
    await new OutboxWorker({ clock, logger }, finishingTogether(keys.length, lateTombstone)).drain();
    expect([...delivered].sort()).toEqual(['a', 'b', 'late']);
    expect(await DeliveredModel.countDocuments({ _id: { $in: keys } })).toBe(3);
    expect(await OutboxModel.countDocuments({})).toBe(0);
    expect(await leases()).toBe(0);
  });

  it('keeps a takeover uncertain when it has to wait for its turn, as the same attempt', async () => {
    const seen: boolean[] = [];
    const probe = {
      record: async (_payload: Record<string, unknown>, ctx: { uncertain: boolean }) => {
        seen.push(ctx.uncertain);
        if (seen.length === 1) throw new NotYet('channel paced', 1_000);
      },
    };
    await enqueue([item('orphan', 'L1')], clock.now());
    await diedHolding('orphan');
    clock.advance(60_000);
    const worker = new OutboxWorker({ clock, logger }, probe);
    await worker.drain();
    // Its lease is settled, so it comes back as a first claim: only the item remembers the doubt.
    expect(await leases()).toBe(0);
    clock.advance(1_000);
    await worker.drain();
    expect(seen).toEqual([true, true]);
  });

  it('tells a handler when an earlier attempt may have reached the other side', async () => {
    const seen: boolean[] = [];
    const probe = {
      record: async (_payload: Record<string, unknown>, ctx: { uncertain: boolean }) => {
        seen.push(ctx.uncertain);
        if (seen.length === 2) throw new RetryLater('timed out after sending', undefined, true);
        if (seen.length === 4) throw new RetryLater('Slack rate limit', 1_000);
      },
    };
    const worker = new OutboxWorker({ clock, logger }, probe);
    await enqueue([item('fresh', 'L1')], clock.now());
    await worker.drain();
    await enqueue([item('retried', 'L2')], clock.now());
    await worker.drain();
    clock.advance(1_000);
    await worker.drain();
    // A worker died holding this one: whoever takes it over cannot know how far it got.
    await enqueue([item('orphan', 'L3')], clock.now());
    await diedHolding('orphan');
    clock.advance(60_000);
    await worker.drain();
    // A refusal (a rate limit) is certain: nothing happened, nothing to check.
    clock.advance(1_000);
    await worker.drain();
    expect(seen).toEqual([false, false, true, true, false]);
  });

  it('delivers one lane at a time while it yields, and lanes side by side otherwise', async () => {
    let running = 0;
    let mostAtOnce = 0;
    let yielding = true;
    let besideAnother = () => {};
    let another = new Promise<void>((resolve) => (besideAnother = resolve));
    const slow = {
      // Each delivery is held until one of another lane runs beside it: at once where lanes go side by side,
      // however loaded the machine. While yielding none may come, and a short wait shows that none does.
      record: async () => {
        mostAtOnce = Math.max(mostAtOnce, ++running);
        if (running > 1) besideAnother();
        await Promise.race([another, new Promise((r) => setTimeout(r, yielding ? 50 : 10_000))]);
        running--;
      },
    };
    const worker = new OutboxWorker({ clock, logger }, slow, { yieldWhile: () => yielding });
    await enqueue(['L1', 'L2', 'L3', 'L4'].map((lane) => item(`y-${lane}`, lane)), clock.now());
    await worker.drain();
    expect(mostAtOnce).toBe(1);

    yielding = false;
    mostAtOnce = 0;
    another = new Promise<void>((resolve) => (besideAnother = resolve));
    await enqueue(['L1', 'L2', 'L3', 'L4'].map((lane) => item(`n-${lane}`, lane)), clock.now());
    await worker.drain();
    expect(mostAtOnce).toBeGreaterThan(1);
  });

  describe('while it runs', () => {
    /** How many times the outbox is read for what is pending while `body` runs. */
    async function pendingReadsDuring(body: () => Promise<void>): Promise<number> {
      const commands = await commandsDuring(body);
      return commands.filter(({ name, command }) => name === 'find' && JSON.stringify(command.filter ?? {}).includes('"state"')).length;
    }

    it('delivers what this process enqueues, lane by lane in order, woken by it', async () => {
      const worker = new OutboxWorker({ clock, logger }, handlers, { pollMs: 60_000 });
      const keys = Array.from({ length: 30 }, (_, i) => `s${i}`);
      const reads = await pendingReadsDuring(async () => {
        worker.start();
        try {
          for (const key of keys) await enqueue([item(key, `L${Number(key.slice(1)) % 3}`)], clock.now());
          expect(await waitFor(() => delivered.length === keys.length, 10_000)).toBe(true);
        } finally {
          await worker.stop();
        }
      });
      expect([...delivered].sort()).toEqual([...keys].sort());
      for (let lane = 0; lane < 3; lane++) {
        const inLane = delivered.filter((k) => Number(k.slice(1)) % 3 === lane);
        expect(inLane).toEqual([...inLane].sort((x, y) => Number(x.slice(1)) - Number(y.slice(1))));
      }
      // Woken by each enqueue rather than the (here one-minute) poll; a read a pass.
      expect(reads).toBeGreaterThanOrEqual(1);
    });

    it('posts at once what this process enqueues for a quiet lane while every lane of a full batch waits its turn, where it is the only writer', async () => {
      const run = async (sole: boolean) => {
        await Promise.all([OutboxModel.deleteMany({}), DeliveredModel.deleteMany({})]);
        delivered.length = 0;
        // A busy channel's backlog: a whole batch, every head told to wait half a minute.
        await enqueue([item('1', 'L1'), item('2', 'L1'), item('3', 'L2'), item('4', 'L2')], clock.now());
        failures = { '1': [new NotYet('paced', 30_000)], '3': [new NotYet('paced', 30_000)] };
        const worker = new OutboxWorker({ clock, logger }, handlers, { batchSize: 4, pollMs: 60_000 });
        serializeWritesInProcess(sole);
        // The read of the lanes behind the batch (`$nin` the batch's lanes), once it has answered.
        const lookPasts = new Set<number>();
        let lookedPast = false;
        const started = (e: mongo.CommandStartedEvent) => {
          if (e.commandName === 'find' && JSON.stringify(e.command.filter ?? {}).includes('$nin')) lookPasts.add(e.requestId);
        };
        const succeeded = (e: mongo.CommandSucceededEvent) => {
          if (lookPasts.has(e.requestId)) lookedPast = true;
        };
        const client = mongoose.connection.getClient();
        client.on('commandStarted', started).on('commandSucceeded', succeeded);
        worker.start();
        try {
          // Every head has been told to wait, and the standing read has looked past the batch and found nothing behind it.
          expect(await waitFor(() => lookedPast && failures['1']?.length === 0 && failures['3']?.length === 0, 5_000)).toBe(true);
          await enqueue([item('quiet', 'L3'), item('behind', 'L1')], clock.now());
          return await waitFor(() => delivered.includes('quiet'), 1_500);
        } finally {
          client.off('commandStarted', started).off('commandSucceeded', succeeded);
          await worker.stop();
          await configureWriteGuards();
        }
      };
      // The embedded database: what this process stored is all there is.
      expect(await run(true)).toBe(true);
      expect(delivered).toEqual(['quiet']);
      // Another instance may have stored an earlier item of that lane: the next read finds them in order.
      expect(await run(false)).toBe(false);
    });

    it('looks past a full batch of waiting lanes again only when a lane outside it may hold an item, where it is the only writer', async () => {
      /** How many times the worker read the lanes behind a batch (`$nin` the batch's lanes), over three batches whose heads all wait. */
      /** `heard` is enqueued once the first batch waits: a key and its lane. */
      const lookPasts = async (sole: boolean, heard?: [string, string], options: OutboxOptions = {}) => {
        await Promise.all([OutboxModel.deleteMany({}), DeliveredModel.deleteMany({})]);
        delivered.length = 0;
        // Two lanes, six items each, read four at a time; the heads of the first three batches are told to wait.
        await enqueue(Array.from({ length: 12 }, (_, n) => item(`${n % 2 ? 'b' : 'a'}${Math.floor(n / 2)}`, n % 2 ? 'L2' : 'L1')), clock.now());
        const heads = [['a0', 'b0'], ['a2', 'b2'], ['a4', 'b4']];
        failures = Object.fromEntries(heads.flat().map((key) => [key, [new NotYet('paced', 100)]]));
        const worker = new OutboxWorker({ clock, logger }, handlers, { batchSize: 4, pollMs: 60_000, ...options });
        serializeWritesInProcess(sole);
        // The worker's commands: its reads of the lanes behind a batch (`$nin` the batch's lanes), and its
        // updates of the heads told to wait. Once both heads' updates have answered, the pass that follows
        // (which looks past the batch or not) has begun; a look past it shows as a read not yet answered.
        let count = 0;
        const lookingPast = new Set<number>();
        const updating = new Map<number, string>();
        const updated = new Set<string>();
        const started = (e: mongo.CommandStartedEvent) => {
          if (e.commandName === 'find' && JSON.stringify(e.command.filter ?? {}).includes('$nin')) {
            count++;
            lookingPast.add(e.requestId);
          }
          const id: unknown = e.commandName === 'update' ? e.command.updates?.[0]?.q?._id : undefined;
          if (typeof id === 'string') updating.set(e.requestId, id);
        };
        const succeeded = (e: mongo.CommandSucceededEvent) => {
          lookingPast.delete(e.requestId);
          const id = updating.get(e.requestId);
          if (id) updated.add(id);
        };
        const client = mongoose.connection.getClient();
        client.on('commandStarted', started).on('commandSucceeded', succeeded);
        worker.start();
        try {
          for (const [batch, waiting] of heads.entries()) {
            expect(await waitFor(() => waiting.every((key) => updated.has(key)) && lookingPast.size === 0, 5_000)).toBe(true);
            if (batch === 0 && heard) {
              const [key, lane] = heard;
              await enqueue([item(key, lane)], clock.now());
              // In a lane of its own it is posted while the batch waits; in a batch's lane, after that lane's items.
              if (lane === 'L3') expect(await waitFor(() => delivered.includes(key), 5_000)).toBe(true);
            }
            clock.advance(100);
          }
          expect(await waitFor(() => delivered.length === 12 + (heard ? 1 : 0), 5_000)).toBe(true);
        } finally {
          client.off('commandStarted', started).off('commandSucceeded', succeeded);
          await worker.stop();
          await configureWriteGuards();
        }
        // Every item, each lane in order.
        expect(delivered.filter((key) => key.startsWith('a'))).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5']);
        expect(delivered.filter((key) => key.startsWith('b'))).toEqual(['b0', 'b1', 'b2', 'b3', 'b4', 'b5', ...(heard?.[1] === 'L2' ? [heard[0]] : [])]);
        return count;
      };
      // The embedded database: after the first look, this process knows each lane with an item: both are in every batch.
      expect(await lookPasts(true)).toBe(1);
      // It heard of an item in a third lane: the next batch, without that lane, is looked past again.
      expect(await lookPasts(true, ['c0', 'L3'])).toBe(2);
      // An item in a lane it knows changes nothing.
      expect(await lookPasts(true, ['b9', 'L2'])).toBe(1);
      // It remembers at most `knownLanesMax` lanes: with fewer than the batch's two, it looks past each batch.
      expect(await lookPasts(true, undefined, { knownLanesMax: 1 })).toBe(3);
      // Another instance may have stored an item in any lane: each batch is looked past.
      expect(await lookPasts(false)).toBe(3);
    });

    it('finds what another instance stored at its next poll', async () => {
      const worker = new OutboxWorker({ clock, logger }, handlers, { pollMs: 50 });
      worker.start();
      try {
        await enqueue([item('ours', 'L1')], clock.now());
        expect(await waitFor(() => delivered.includes('ours'), 5_000)).toBe(true);
        // Stored without this process hearing of it, as another instance's enqueue would be.
        await OutboxModel.create({ _id: 'theirs', lane: 'L2', seq: Date.now() * 1000, kind: 'record', payload: { text: 'theirs' }, nextAttemptAt: clock.now() });
        expect(await waitFor(() => delivered.includes('theirs'), 5_000)).toBe(true);
      } finally {
        await worker.stop();
      }
      expect(await OutboxModel.countDocuments({})).toBe(0);
    });

    it('keeps a lane in order behind an item another instance stored earlier, however much this process enqueues after it', async () => {
      // Before the worker starts: its first read takes it in.
      await OutboxModel.create({ _id: 'first', lane: 'L1', seq: 1, kind: 'record', payload: { text: 'first' }, nextAttemptAt: clock.now() });
      failures = { first: [new RetryLater('not yet', 1)] };
      const worker = new OutboxWorker({ clock, logger }, handlers, { pollMs: 20 });
      worker.start();
      try {
        await enqueue([item('second', 'L1'), item('other', 'L2')], clock.now());
        expect(await waitFor(() => delivered.includes('other'), 5_000)).toBe(true);
        expect(delivered).not.toContain('second');
        clock.advance(backoffMs(1));
        expect(await waitFor(() => delivered.includes('second'), 5_000)).toBe(true);
      } finally {
        await worker.stop();
      }
      expect(delivered.filter((k) => k !== 'other')).toEqual(['first', 'second']);
    });
  });

  it('classifies Slack errors', () => {
    expect(classifySlackError({ code: 'slack_webapi_rate_limited_error', retryAfter: 7 })).toEqual(new RetryLater('Slack rate limit', 7000));
    expect(classifySlackError({ code: 'slack_webapi_platform_error', data: { error: 'channel_not_found' } })).toBeInstanceOf(PermanentFailure);
    expect(classifySlackError({ code: 'slack_webapi_platform_error', data: { error: 'internal_error' } })).toBeInstanceOf(RetryLater);
    expect(classifySlackError({ code: 'slack_webapi_request_error', message: 'refused', original: { code: 'ECONNREFUSED' } })).toEqual(
      new RetryLater('refused', undefined, false),
    );
    expect(classifySlackError({ code: 'slack_webapi_request_error', message: 'reset', original: { code: 'ECONNRESET' } })).toEqual(
      new RetryLater('reset', undefined, true),
    );
    expect(classifySlackError({ code: 'slack_webapi_http_error', statusCode: 503 })).toBeInstanceOf(RetryLater);
    // web-api 8 calls Slack with fetch: the refusal is the cause of fetch's own TypeError.
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(classifySlackError(new WebAPIRequestError(new TypeError('fetch failed', { cause: refused })))).toMatchObject({ maybeDone: false });
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(classifySlackError(new WebAPIRequestError(new TypeError('fetch failed', { cause: reset })))).toMatchObject({ maybeDone: true });
  });
  describe('delivered keys', () => {
    const DAY = 24 * 3_600_000;
    /** Tombstones written `daysAgo` before the clock's now, oldest first, as the worker writes them. */
    async function tombstones(prefix: string, daysAgo: readonly number[]): Promise<string[]> {
      const ids = daysAgo.map((_, n) => `${prefix}${n}`);
      for (const [n, id] of ids.entries()) await DeliveredModel.create({ _id: id, at: new Date(clock.now().getTime() - (daysAgo[n] ?? 0) * DAY) });
      return ids;
    }
    const kept = async () => (await DeliveredModel.find({}, { _id: 1 }).lean()).map((t) => t._id).sort();

    it('are removed once older than the redelivery margin, a batch at a time; younger ones stay', async () => {
      const old = await tombstones('old', [90, 45, 31, 30.5, 30.01]);
      const young = await tombstones('young', [29.9, 7, 1, 0]);
      const cutoff = new Date(clock.now().getTime() - DELIVERED_KEPT_MS);

      expect(await pruneDelivered(cutoff, 2)).toBe(old.length);
      expect(await kept()).toEqual([...young].sort());
      expect(await pruneDelivered(cutoff, 2)).toBe(0);
    });

    it('a key delivered within the margin and enqueued again is still dropped unposted', async () => {
      await tombstones('again', [10]);
      await pruneDelivered(new Date(clock.now().getTime() - DELIVERED_KEPT_MS));
      await enqueue([item('again0', 'L1')], clock.now());
      const worker = new OutboxWorker({ logger, clock }, handlers);
      await worker.drain();
      expect(delivered).toEqual([]);
      expect(await OutboxModel.countDocuments({})).toBe(0);
    });

    it('are pruned by a daily job at 03:23 in the service’s time zone', async () => {
      clock.set(new Date('2026-03-01T03:22:30+07:00'));
      const old = await tombstones('daily-old', [31]);
      const young = await tombstones('daily-young', [29]);
      const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'shh', TZ: 'Asia/Jakarta' });
      const jobs = startJobs(outboxJobs({ clock, logger }), { config, clock, logger }, { timer: false });
      try {
        await jobs.tick();
        expect(await kept()).toEqual([...old, ...young].sort());
        clock.advance(60_000);
        await jobs.tick();
        expect(await kept()).toEqual(young);
      } finally {
        await jobs.stop();
      }
    });
  });
});
