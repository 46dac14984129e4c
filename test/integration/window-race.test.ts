import mongoose from 'mongoose';
import { recordInbound } from '../helpers/inbound';
import { ConversationModel, LeaseModel, OutboxModel, WindowAlertModel } from '../../src/store/models';
import { outboxKeys } from '../helpers/outbox';
import { SWEEP_RESOURCE, runSweep } from '../../src/window';
import { TestClock } from '../helpers/service';
import {
  HOUR,
  MINUTE,
  alertOf,
  clearWindowDb,
  connectWindowDb,
  createAccount,
  createConversation,
  recordSlackPosts,
  reload,
  windowConfig,
  windowDeps,
  windowWorker,
  type SlackPost,
} from './window-harness';

const config = windowConfig();
const start = new Date('2026-01-05T03:00:00Z');
const closes = new Date(start.getTime() + 24 * HOUR);

/** Threaded posts per thread: the exactly-once measure. */
function perThread(posts: readonly SlackPost[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of posts) if (p.thread_ts) counts.set(p.thread_ts, (counts.get(p.thread_ts) ?? 0) + 1);
  return counts;
}

describe('window sweeps on several instances', () => {
  let clock: TestClock;
  let posts: SlackPost[];
  let deps: ReturnType<typeof windowDeps>;

  beforeAll(connectWindowDb);
  afterAll(() => mongoose.disconnect());
  beforeEach(async () => {
    await clearWindowDb();
    clock = new TestClock(start);
    posts = recordSlackPosts();
    deps = windowDeps(config, clock);
  });
  afterEach(() => jest.restoreAllMocks());

  async function seed(count: number): Promise<string[]> {
    const shop = await createAccount();
    const other = await createAccount({ channelId: 'C0OTHER' });
    const threads: string[] = [];
    for (let i = 0; i < count; i++) {
      const c = await createConversation(i % 2 ? other : shop, start, i % 2 ? { channelId: 'C0OTHER' } : {});
      threads.push(c.threadTs ?? '');
    }
    return threads;
  }

  it('lets one of two sweepers starting at the same moment sweep, and posts each alert once', async () => {
    const threads = await seed(12);
    clock.set(new Date(closes.getTime() - 120 * MINUTE));
    const results = await Promise.all([runSweep(deps, { owner: 'a' }), runSweep(deps, { owner: 'b' }), runSweep(deps, { owner: 'c' })]);
    expect(results.filter((r) => r.swept)).toHaveLength(1);
    await Promise.all([windowWorker(deps).drain(), windowWorker(deps).drain()]);
    expect(perThread(posts)).toEqual(new Map(threads.map((t) => [t, 1])));
    expect(posts.filter((p) => !p.thread_ts).map((p) => p.channel).sort()).toEqual(['C0OTHER', 'C0SHOP']);
  });

  it('posts each alert once even when two sweepers overlap (the first one’s lease ran out mid-sweep)', async () => {
    const threads = await seed(16);
    for (const minutesLeft of [120, 30, 0]) {
      clock.set(new Date(closes.getTime() - minutesLeft * MINUTE));
      // A lease of 0 ms expires at once, so the second sweeper takes its own turn while the first still runs.
      const first = runSweep(deps, { owner: 'a', leaseMs: 0 });
      while (!(await LeaseModel.exists({ _id: SWEEP_RESOURCE, owner: 'a', until: clock.now() }))) await new Promise(setImmediate);
      const second = runSweep(deps, { owner: 'b', leaseMs: 0 });
      const results = await Promise.all([first, second, windowWorker(deps).drain()]);
      expect(results.slice(0, 2).map((r) => typeof r === 'object' && r.swept)).toEqual([true, true]);
      await Promise.all([windowWorker(deps).drain(), windowWorker(deps).drain()]);
    }
    // Two warnings and the closed notice in every thread, each exactly once.
    expect(perThread(posts)).toEqual(new Map(threads.map((t) => [t, 3])));
    expect(await outboxKeys(/^window:[^:]+:\d+:(\d+|closed)$/)).toHaveLength(48);
  });

  it('takes over a sweep that died after enqueuing, once its lease has run out, still posting each alert once', async () => {
    const threads = await seed(6);
    clock.set(new Date(closes.getTime() - 100 * MINUTE));
    // The process dies right after storing the alerts: progress unrecorded, lease never released.
    const dies = jest.spyOn(WindowAlertModel, 'updateOne').mockImplementation(() => {
      throw new Error('the process died here');
    });
    await expect(runSweep(deps, { owner: 'dead', leaseMs: 60_000 })).rejects.toThrow('the process died here');
    dies.mockRestore();
    expect(await OutboxModel.countDocuments({ kind: 'window.warning' })).toBe(6);
    expect((await WindowAlertModel.find({ warnedThresholds: 120 })).length).toBe(0);

    // Another instance: shut out while the lease lives, even as alerts already go out.
    expect(await runSweep(deps, { owner: 'heir', leaseMs: 60_000 })).toMatchObject({ swept: false });
    await windowWorker(deps).drain();
    clock.advance(59_999);
    expect(await runSweep(deps, { owner: 'heir', leaseMs: 60_000 })).toMatchObject({ swept: false });
    clock.advance(1);
    expect(await runSweep(deps, { owner: 'heir', leaseMs: 60_000 })).toMatchObject({ swept: true, due: 6 });
    await windowWorker(deps).drain();

    expect(perThread(posts)).toEqual(new Map(threads.map((t) => [t, 1])));
    expect(posts.filter((p) => !p.thread_ts)).toHaveLength(2);
    const c = await ConversationModel.findOne({ threadTs: threads[0] });
    expect(c && (await alertOf(c._id))?.warnedThresholds).toEqual([120]);

    // And the sweeps go on normally afterwards.
    clock.set(new Date(closes.getTime() - 30 * MINUTE));
    expect(await runSweep(deps, { owner: 'heir' })).toMatchObject({ swept: true, warnings: 6 });
  });
  it('keeps the fresh alerts of a window that moved while the sweep recorded its progress', async () => {
    const shop = await createAccount();
    const c = await createConversation(shop, start);
    const sweepAt = new Date(closes.getTime() - 30 * MINUTE);
    clock.set(sweepAt);
    let moving: Promise<unknown> | undefined;
    jest.spyOn(WindowAlertModel, 'updateOne').mockImplementationOnce(() => {
      // The customer writes just as the sweep records its progress (the write the sweep makes, guarded by the old window).
      moving = reload(c._id).then((fresh) => recordInbound(fresh, { at: sweepAt, preview: 'Still there?' }, config.expiry.warnMinutes));
      return WindowAlertModel.updateOne({ _id: c._id, closesAt: closes }, { $set: { warnedThresholds: [120, 30], nextAlertAt: closes } });
    });
    expect(await runSweep(deps)).toMatchObject({ swept: true, warnings: 1 });
    await moving;
    const moved = await reload(c._id);
    const newCloses = new Date(sweepAt.getTime() + 24 * HOUR);
    expect(moved.windowClosesAt).toEqual(newCloses);
    const alert = await alertOf(c._id);
    expect(alert?.closesAt).toEqual(newCloses);
    expect(alert?.warnedThresholds).toEqual([]);
    expect(alert?.nextAlertAt).toEqual(new Date(newCloses.getTime() - 120 * MINUTE));

    // The old window's warning is dropped at delivery; the new window is warned in full.
    await windowWorker(deps).drain();
    expect(posts).toEqual([]);
    for (const minutesLeft of [120, 30, 0]) {
      clock.set(new Date(newCloses.getTime() - minutesLeft * MINUTE));
      await runSweep(deps);
      await windowWorker(deps).drain();
    }
    expect(perThread(posts)).toEqual(new Map([[c.threadTs ?? '', 3]]));
  });
});
