import { TestClock } from '../helpers/service';
import { recordReply, setThread } from '../../src/store/conversations';
import { recordInbound } from '../helpers/inbound';
import { Types } from 'mongoose';
import { ConversationModel, OutboxModel, WindowAlertModel } from '../../src/store/models';
import { outboxKeys } from '../helpers/outbox';
import { runSweep } from '../../src/window';
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
import mongoose from 'mongoose';

const config = windowConfig();
const WINDOW = 24 * HOUR;

describe('the window sweep', () => {
  let clock: TestClock;
  let posts: SlackPost[];
  let deps: ReturnType<typeof windowDeps>;
  const start = new Date('2026-01-05T03:00:00Z');

  beforeAll(connectWindowDb);
  afterAll(() => mongoose.disconnect());
  beforeEach(async () => {
    await clearWindowDb();
    clock = new TestClock(start);
    posts = recordSlackPosts();
    deps = windowDeps(config, clock);
  });

  /** Sweeps and delivers at `at`, returning what reached Slack in that step. */
  async function sweepAt(at: Date): Promise<SlackPost[]> {
    clock.set(at);
    const before = posts.length;
    await runSweep(deps, { now: at });
    await windowWorker(deps).drain();
    return posts.slice(before);
  }
  const closes = new Date(start.getTime() + WINDOW);
  const beforeClose = (ms: number) => new Date(closes.getTime() - ms);

  it('warns at each threshold exactly at its moment, then notices the close once, in the thread', async () => {
    const account = await createAccount();
    const c = await createConversation(account, start);
    expect(c.windowClosesAt).toEqual(closes);

    expect(await sweepAt(beforeClose(120 * MINUTE + 1000))).toEqual([]);
    const first = await sweepAt(beforeClose(120 * MINUTE));
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ channel: 'C0SHOP', thread_ts: c.threadTs });
    expect(first[0]?.text).toContain('<!channel>');
    expect(first[0]?.text).toContain('*2 h*');
    expect(first[0]?.text).toContain(`<!date^${closes.getTime() / 1000}^{time}|`);
    expect(await sweepAt(beforeClose(120 * MINUTE))).toEqual([]);

    expect(await sweepAt(beforeClose(30 * MINUTE + 1000))).toEqual([]);
    const second = await sweepAt(beforeClose(30 * MINUTE));
    expect(second.map((p) => p.text)).toEqual([expect.stringContaining('*30 min*')]);

    expect(await sweepAt(beforeClose(1))).toEqual([]);
    const closed = await sweepAt(closes);
    expect(closed).toHaveLength(1);
    expect(closed[0]?.text).toContain('closed');
    expect(JSON.stringify(closed[0]?.blocks)).toContain(`"action_id":"templates.send","value":"${String(c._id)}"`);

    expect(await sweepAt(new Date(closes.getTime() + HOUR))).toEqual([]);
    // Nothing more is due: the conversation's alert document is gone.
    expect(await alertOf(c._id)).toBeUndefined();
  });

  it('posts only the most urgent warning when both thresholds are crossed in one sweep, and never the other later', async () => {
    const account = await createAccount();
    await createConversation(account, start);
    const now = await sweepAt(beforeClose(29 * MINUTE));
    expect(now.map((p) => p.text)).toEqual([expect.stringContaining('*29 min*')]);
    for (let at = beforeClose(28 * MINUTE).getTime(); at < closes.getTime(); at += 7 * MINUTE) {
      expect(await sweepAt(new Date(at))).toEqual([]);
    }
    expect(await sweepAt(closes)).toHaveLength(1);
  });

  it('starts afresh when a new inbound message opens a new window', async () => {
    const account = await createAccount();
    const c = await createConversation(account, start);
    expect(await sweepAt(beforeClose(30 * MINUTE))).toHaveLength(1);

    const again = new Date(beforeClose(20 * MINUTE));
    await recordInbound(await reload(c._id), { at: again, preview: 'Hello?' }, config.expiry.warnMinutes);
    const newCloses = new Date(again.getTime() + WINDOW);
    expect(await sweepAt(closes)).toEqual([]);
    expect(await sweepAt(new Date(newCloses.getTime() - 120 * MINUTE))).toHaveLength(1);
    expect(await sweepAt(new Date(newCloses.getTime() - 30 * MINUTE))).toHaveLength(1);
    expect(await sweepAt(newCloses)).toHaveLength(1);
    expect(await outboxKeys(new RegExp(`^window:${String(c._id)}:${newCloses.getTime()}:`))).toHaveLength(3);
  });

  it('does not warn about a conversation an agent answered, and names the last replier otherwise', async () => {
    const account = await createAccount();
    const answered = await createConversation(account, start);
    await recordReply(answered._id, new Date(start.getTime() + MINUTE), 'U0AGENT');
    // Replied before the customer's latest message: still waiting, and the agent is named.
    const waiting = await createConversation(account, start);
    await recordReply(waiting._id, new Date(start.getTime() - HOUR), 'U0AGENT');

    const warned = await sweepAt(beforeClose(120 * MINUTE));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ thread_ts: waiting.threadTs });
    expect(warned[0]?.text).toMatch(/^<@U0AGENT> /);
    expect(await sweepAt(closes)).toHaveLength(1);
    expect(posts.every((p) => p.thread_ts === waiting.threadTs)).toBe(true);
  });

  it('drops a warning whose conversation was answered between the sweep and the delivery', async () => {
    const account = await createAccount();
    const c = await createConversation(account, start);
    clock.set(beforeClose(120 * MINUTE));
    await runSweep(deps);
    // The sweep did queue the warning: it is the delivery that must see the reply and drop it.
    const queued = await outboxKeys(/./);
    expect(queued).toHaveLength(1);
    await recordReply(c._id, clock.now(), 'U0AGENT');
    await windowWorker(deps).drain();
    expect(posts).toEqual([]);
    expect(await OutboxModel.countDocuments({})).toBe(0);
    expect(await outboxKeys(/./)).toEqual(queued);
  });

  it('catches up after a pause with one warning, not one per missed minute', async () => {
    const account = await createAccount();
    await createConversation(account, start);
    const resumed: SlackPost[] = [];
    for (let m = 10; m > 0; m--) resumed.push(...(await sweepAt(beforeClose(m * MINUTE))));
    expect(resumed.map((p) => p.text)).toEqual([expect.stringContaining('*10 min*')]);
  });

  it('catches up after being down through the close with the closed notice alone', async () => {
    const account = await createAccount();
    await createConversation(account, start);
    const afterClose = new Date(closes.getTime() + 3 * HOUR);
    const caught = await sweepAt(afterClose);
    expect(caught).toHaveLength(1);
    expect(caught[0]?.text).toContain('closed');
    expect(await sweepAt(new Date(afterClose.getTime() + MINUTE))).toEqual([]);
  });

  it('posts in the channel when the thread root was never posted', async () => {
    const account = await createAccount();
    await createConversation(account, start, { threadTs: null });
    const [warning] = await sweepAt(beforeClose(120 * MINUTE));
    expect(warning).toMatchObject({ channel: 'C0SHOP' });
    expect(warning?.thread_ts).toBeUndefined();
  });

  it('links the summary to a thread opened after the alert was recorded', async () => {
    const account = await createAccount();
    const a = await createConversation(account, start, { threadTs: null, name: 'Ani' });
    await createConversation(account, start, { name: 'Budi' });
    expect((await alertOf(a._id))?.threadTs).toBeUndefined();
    await setThread(a._id, 'C0SHOP', '1767500999.000001');
    expect(await alertOf(a._id)).toMatchObject({ channelId: 'C0SHOP', threadTs: '1767500999.000001' });
    const [summary] = (await sweepAt(beforeClose(120 * MINUTE))).filter((p) => p.thread_ts === undefined);
    expect(JSON.stringify(summary?.blocks)).toContain('https://slack.com/archives/C0SHOP/p1767500999000001');
  });

  it('posts nothing for an account switched off, yet does not keep its alerts due', async () => {
    const account = await createAccount({ enabled: false });
    const c = await createConversation(account, start);
    expect(await sweepAt(beforeClose(120 * MINUTE))).toEqual([]);
    expect(await sweepAt(closes)).toEqual([]);
    expect(await WindowAlertModel.countDocuments({ nextAlertAt: { $lte: closes } })).toBe(0);
    expect(await alertOf(c._id)).toBeUndefined();
  });

  it('adds one summary line per channel when several of its conversations are closing', async () => {
    const shop = await createAccount();
    const other = await createAccount({ channelId: 'C0OTHER' });
    const a = await createConversation(shop, start, { name: 'Ani' });
    await createConversation(shop, new Date(start.getTime() + MINUTE), { name: 'Budi' });
    await createConversation(shop, new Date(start.getTime() + 2 * MINUTE), { name: 'Citra' });
    await createConversation(other, start, { channelId: 'C0OTHER' });

    const step = await sweepAt(new Date(closes.getTime() - 118 * MINUTE));
    const summaries = step.filter((p) => p.thread_ts === undefined);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ channel: 'C0SHOP' });
    expect(summaries[0]?.text).toContain('3 conversations');
    const body = JSON.stringify(summaries[0]?.blocks);
    expect(body.indexOf('Ani')).toBeLessThan(body.indexOf('Budi'));
    expect(body).toContain(`https://slack.com/archives/C0SHOP/p${a.threadTs?.replace('.', '')}`);
    expect(step.filter((p) => p.thread_ts !== undefined)).toHaveLength(4);
  });

  it("warns and notices the close in the account's channel language", async () => {
    const account = await createAccount({ locale: 'id' });
    const c = await createConversation(account, start);

    const warning = await sweepAt(beforeClose(120 * MINUTE));
    expect(warning).toHaveLength(1);
    expect(warning[0]).toMatchObject({ channel: 'C0SHOP', thread_ts: c.threadTs });
    expect(warning[0]?.text).toContain('<!channel>');
    expect(warning[0]?.text).toContain('Jendela 24 jam dengan pelanggan ini berakhir dalam *2 jam*');
    expect(warning[0]?.text).not.toContain('window');

    await sweepAt(beforeClose(30 * MINUTE));
    const closed = await sweepAt(closes);
    expect(closed).toHaveLength(1);
    expect(closed[0]?.text).toContain('tanpa balasan');
    expect(JSON.stringify(closed[0]?.blocks)).toContain('Kirim template');
  });

  it("sums up a channel in its accounts' shared language, and in English when they differ", async () => {
    const toko = await createAccount({ locale: 'id', channelId: 'C0TOKO' });
    const pasar = await createAccount({ locale: 'id', channelId: 'C0TOKO' });
    const shop = await createAccount({ locale: 'en', channelId: 'C0MIXED' });
    const warung = await createAccount({ locale: 'id', channelId: 'C0MIXED' });
    await createConversation(toko, start, { channelId: 'C0TOKO' });
    await createConversation(pasar, start, { channelId: 'C0TOKO' });
    await createConversation(shop, start, { channelId: 'C0MIXED' });
    await createConversation(warung, start, { channelId: 'C0MIXED' });

    const summaries = (await sweepAt(beforeClose(120 * MINUTE))).filter((p) => p.thread_ts === undefined);
    expect(summaries.find((p) => p.channel === 'C0TOKO')?.text).toContain('2 percakapan di channel ini');
    expect(summaries.find((p) => p.channel === 'C0MIXED')?.text).toContain('2 conversations');
  });

  it('handles a bounded batch per sweep, most overdue first', async () => {
    const account = await createAccount();
    for (let i = 0; i < 5; i++) await createConversation(account, new Date(start.getTime() + i * MINUTE));
    clock.set(new Date(closes.getTime() - 100 * MINUTE));
    expect(await runSweep(deps, { batchSize: 2 })).toMatchObject({ swept: true, due: 2, warnings: 2 });
    expect(await runSweep(deps, { batchSize: 2 })).toMatchObject({ due: 2 });
    expect(await runSweep(deps, { batchSize: 2 })).toMatchObject({ due: 1 });
    expect(await runSweep(deps, { batchSize: 2 })).toMatchObject({ due: 0 });
  });

  it('records the progress of more than a hundred due conversations in one sweep', async () => {
    // FerretDB v1 never answers a bulkWrite of 100+ updates (the sweep once hung holding its lease); it writes one alert at a time.
    const account = await createAccount();
    const conversations = [];
    for (let i = 0; i < 120; i++) conversations.push(await createConversation(account, start));
    clock.set(beforeClose(100 * MINUTE));
    expect(await runSweep(deps)).toMatchObject({ swept: true, due: 120, warnings: 120 });
    expect(await runSweep(deps)).toMatchObject({ due: 0 });
    for (const c of [conversations[0], conversations[119]]) expect((await alertOf(c!._id))?.warnedThresholds).toEqual([120]);
  }, 60_000);

  it('never touches the conversations: it reads and writes only the pending alerts', async () => {
    const account = await createAccount();
    // 2,000 stored conversations with no alert pending (answered, closed long ago, or never alerted).
    const idle = Array.from({ length: 2_000 }, (_, n) => ({
      _id: new Types.ObjectId(),
      accountId: account,
      waId: String(6289900000000 + n),
      channelId: 'C0SHOP',
      lastInboundAt: new Date(start.getTime() - 3 * WINDOW),
      windowClosesAt: new Date(start.getTime() - 2 * WINDOW),
      createdAt: start,
      updatedAt: start,
    }));
    await ConversationModel.collection.insertMany(idle);
    const due = [];
    for (let i = 0; i < 10; i++) due.push(await createConversation(account, start));
    expect(await WindowAlertModel.countDocuments()).toBe(10);

    const ops: { method: string; query: unknown }[] = [];
    mongoose.set('debug', (collection: string, method: string, query: unknown) => {
      if (collection === ConversationModel.collection.collectionName) ops.push({ method, query });
    });
    try {
      clock.set(beforeClose(100 * MINUTE));
      expect(await runSweep(deps)).toMatchObject({ swept: true, due: 10, warnings: 10 });
    } finally {
      mongoose.set('debug', false);
    }
    // Not even a read by _id (on FerretDB that too costs time in proportion to the collection).
    expect(ops).toEqual([]);
    // The due ones were alerted and their progress recorded on their alert documents.
    for (const c of due) expect((await alertOf(c._id))?.warnedThresholds).toEqual([120]);
    expect(await OutboxModel.countDocuments({ kind: 'window.warning' })).toBe(10);
  }, 60_000);
});
