import mongoose, { type Types } from 'mongoose';
import { OutboxWorker } from '../../src/outbox';
import { runSlaSweep } from '../../src/sla';
import { slaClockStart } from '../../src/sla/clock';
import { putSlaClocks } from '../../src/store/sla';
import { recordReply } from '../../src/store/conversations';
import { recordInbound } from '../helpers/inbound';
import { setAssignee, setStatus } from '../../src/store/inbox';
import { AccountModel, ConversationModel, SlaClockModel, SlaMarkModel, type ConversationDocument } from '../../src/store/models';
import { runSweep, windowOutboxHandlers } from '../../src/window';
import { slaOutboxHandlers } from '../../src/sla';
import { TestClock } from '../helpers/service';
import { outboxKeys } from '../helpers/outbox';
import { HOUR, MINUTE, clearWindowDb, connectWindowDb, createAccount, createConversation, recordSlackPosts, reload, windowConfig, windowDeps, type SlackPost } from './window-harness';

/**
 * The response targets end to end on a real database: the SLA sweep and the window sweep side by
 * side as the service runs them, their outbox items delivered to a Slack behind nock, on a clock
 * moved by hand to each boundary.
 */

const config = windowConfig();
const WINDOW = 24 * HOUR;
// Monday 2026-01-05 10:00 in Jakarta (UTC+7).
const start = new Date('2026-01-05T03:00:00Z');
const jkt = (iso: string) => new Date(`${iso}+07:00`);

describe('response targets', () => {
  let clock: TestClock;
  let posts: SlackPost[];
  let deps: ReturnType<typeof windowDeps>;

  beforeAll(async () => {
    await connectWindowDb();
    await Promise.all([SlaClockModel.createIndexes(), SlaMarkModel.createIndexes()]);
  });
  afterAll(() => mongoose.disconnect());
  beforeEach(async () => {
    await clearWindowDb();
    await Promise.all([SlaClockModel.deleteMany({}), SlaMarkModel.deleteMany({})]);
    clock = new TestClock(start);
    posts = recordSlackPosts();
    deps = windowDeps(config, clock);
  });

  const worker = () => new OutboxWorker(deps, { ...windowOutboxHandlers(deps), ...slaOutboxHandlers(deps) });

  /** Both sweeps, then delivery, at `at`: what reached Slack in that step. */
  async function sweepAt(at: Date): Promise<SlackPost[]> {
    clock.set(at);
    const before = posts.length;
    await runSweep(deps, { now: at });
    await runSlaSweep(deps, { now: at });
    await worker().drain();
    return posts.slice(before);
  }

  /** Only the response-target posts of a step (the window's own warnings go on beside them). */
  const targetPosts = async (at: Date) => (await sweepAt(at)).filter((p) => p.text.includes('response target'));

  async function account(settings: Record<string, unknown> = {}): Promise<Types.ObjectId> {
    const id = await createAccount();
    await AccountModel.updateOne({ _id: id }, { $set: settings });
    return id;
  }

  /** The customer writes at `at`, as ingest records it: the window moves, the target starts. */
  async function customerWrites(accountId: Types.ObjectId, at: Date, existing?: ConversationDocument): Promise<ConversationDocument> {
    const before = existing ? await reload(existing._id) : await createConversation(accountId, at);
    if (existing) await recordInbound(before, { at, preview: 'Hello?' }, config.expiry.warnMinutes);
    const acc = await AccountModel.findById(accountId);
    if (!acc) throw new Error('no account');
    // As ingest passes it: the conversation as it was before this message (a new one had none).
    await putSlaClocks([slaClockStart(acc, existing ? before : { _id: before._id, status: before.status, lastReplyAt: undefined, lastInboundAt: undefined }, [at])]);
    return reload(before._id);
  }

  const breachCount = async (id: Types.ObjectId) => (await ConversationModel.findById(id))?.slaBreachCount ?? 0;

  it('warns 5 minutes before the first-response target and escalates at it, once each, with the defaults', async () => {
    const acc = await account({ escalation: { channelId: 'C0LEADS', userGroupId: 'S0LEADS' } });
    const c = await customerWrites(acc, start);
    await setAssignee(c._id, 'U0AGENT', start);

    expect(await sweepAt(new Date(start.getTime() + 10 * MINUTE - 1000))).toEqual([]);
    const warned = await sweepAt(new Date(start.getTime() + 10 * MINUTE));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ channel: 'C0SHOP', thread_ts: c.threadTs });
    expect(warned[0]?.text).toMatch(/^<@U0AGENT> The first response target \(15 minutes\)/);
    expect(await sweepAt(new Date(start.getTime() + 14 * MINUTE))).toEqual([]);

    expect(await sweepAt(new Date(start.getTime() + 15 * MINUTE - 1000))).toEqual([]);
    const breached = await sweepAt(new Date(start.getTime() + 15 * MINUTE));
    expect(breached).toHaveLength(1);
    expect(breached[0]).toMatchObject({ channel: 'C0LEADS' });
    expect(breached[0]?.thread_ts).toBeUndefined();
    expect(breached[0]?.text).toMatch(/^<!subteam\^S0LEADS> The first response target \(15 minutes\) was breached/);
    expect(JSON.stringify(breached[0]?.blocks)).toContain(`https://slack.com/archives/C0SHOP/p${c.threadTs?.replace('.', '')}`);
    expect(await breachCount(c._id)).toBe(1);

    expect(await sweepAt(new Date(start.getTime() + 2 * HOUR))).toEqual([]);
    expect(await breachCount(c._id)).toBe(1);
    expect(await SlaClockModel.findById(c._id)).toBeNull();
  });

  it('pauses outside business hours across midnight and the weekend, in the account zone', async () => {
    const acc = await account({
      businessHours: { timeZone: 'Asia/Jakarta', ranges: [1, 2, 3, 4, 5].map((day) => ({ day, start: 8 * 60, end: 17 * 60 })), holidays: [] },
    });
    // Friday 16:55 WIB: 5 business minutes on Friday, the rest from Monday 08:00.
    const friday = jkt('2026-01-09T16:55:00');
    const c = await customerWrites(acc, friday);
    expect(await targetPosts(jkt('2026-01-09T17:05:00'))).toEqual([]);
    // Saturday: the customer's 24-hour window closes meanwhile (its notice is the window's), the target waits for Monday.
    expect(await targetPosts(jkt('2026-01-10T12:00:00'))).toEqual([]);
    expect(await targetPosts(jkt('2026-01-12T08:04:59'))).toEqual([]);
    const warned = await targetPosts(jkt('2026-01-12T08:05:00'));
    expect(warned.map((p) => p.text)).toEqual([expect.stringMatching(/^<!channel> The first response target/)]);
    expect(await targetPosts(jkt('2026-01-12T08:09:59'))).toEqual([]);
    const breached = await targetPosts(jkt('2026-01-12T08:10:00'));
    // No escalation channel: in the thread, to the channel.
    expect(breached).toHaveLength(1);
    expect(breached[0]).toMatchObject({ channel: 'C0SHOP', thread_ts: c.threadTs });
    expect(breached[0]?.text).toContain('was breached');
  });

  it('counts the next-response target from the first unanswered message after a reply', async () => {
    const acc = await account();
    const c = await customerWrites(acc, start);
    await recordReply(c._id, new Date(start.getTime() + 5 * MINUTE), 'U0AGENT');
    expect(await sweepAt(new Date(start.getTime() + 20 * MINUTE))).toEqual([]);
    const again = new Date(start.getTime() + 30 * MINUTE);
    await customerWrites(acc, again, c);
    // A second message does not restart the clock.
    await customerWrites(acc, new Date(again.getTime() + 20 * MINUTE), c);
    expect(await sweepAt(new Date(again.getTime() + 55 * MINUTE - 1000))).toEqual([]);
    expect((await sweepAt(new Date(again.getTime() + 55 * MINUTE))).map((p) => p.text)).toEqual([expect.stringContaining('next response target (60 minutes)')]);
    expect(await sweepAt(new Date(again.getTime() + 60 * MINUTE))).toHaveLength(1);
    expect(await breachCount(c._id)).toBe(1);
  });

  it('says nothing for resolved or pending conversations, nor once answered', async () => {
    const acc = await account();
    const resolved = await customerWrites(acc, start);
    const pending = await customerWrites(acc, start);
    const answered = await customerWrites(acc, start);
    await setStatus(resolved._id, 'resolved', start);
    await setStatus(pending._id, 'pending', start);
    await recordReply(answered._id, new Date(start.getTime() + MINUTE), 'U0AGENT');
    expect(await sweepAt(new Date(start.getTime() + 10 * MINUTE))).toEqual([]);
    expect(await sweepAt(new Date(start.getTime() + 15 * MINUTE))).toEqual([]);
    for (const c of [resolved, pending, answered]) expect(await breachCount(c._id)).toBe(0);
    expect(await SlaClockModel.countDocuments({})).toBe(0);
  });

  it('posts each alert once under concurrent sweeps and a sweeper that died before recording its progress', async () => {
    const acc = await account();
    const c = await customerWrites(acc, start);
    const at = new Date(start.getTime() + 15 * MINUTE);
    clock.set(at);
    await Promise.all([runSlaSweep(deps, { now: at, owner: 'a' }), runSlaSweep(deps, { now: at, owner: 'b' })]);
    // A sweeper that enqueued and died: its progress is undone, its lease lapses, another takes over.
    const since = c.lastInboundAt;
    if (!since) throw new Error('the customer wrote: the conversation has a last inbound time');
    await SlaClockModel.create({ _id: c._id, accountId: acc, since, target: 'first', warned: false, breached: false, nextCheckAt: at });
    await runSlaSweep(deps, { now: new Date(at.getTime() + 3 * MINUTE), owner: 'c' });
    await Promise.all([worker().drain(), worker().drain()]);
    const breaches = posts.filter((p) => p.text.includes('was breached'));
    expect(breaches).toHaveLength(1);
    expect(await breachCount(c._id)).toBe(1);
    expect(await outboxKeys(/^sla:/)).toHaveLength(1);
  });

  it('escalates a breach one minute before the window closes, then the window closes as usual', async () => {
    const acc = await account({ responseTargets: { firstMinutes: 24 * 60 - 1, nextMinutes: 60, warnMinutes: 0 } });
    const c = await customerWrites(acc, start);
    const closes = new Date(start.getTime() + WINDOW);
    // The window's 30-minute warning (the most urgent one crossed) goes out on its own.
    expect((await sweepAt(new Date(closes.getTime() - 2 * MINUTE))).map((p) => p.text)).toEqual([expect.stringContaining('closes in *2 min*')]);
    const breach = await sweepAt(new Date(closes.getTime() - MINUTE));
    expect(breach.map((p) => p.text)).toEqual([expect.stringContaining('was breached')]);
    const closed = await sweepAt(closes);
    expect(closed.map((p) => p.text)).toEqual([expect.stringContaining('24-hour window closed')]);
    expect(await breachCount(c._id)).toBe(1);
  });

  it('posts one combined message when the SLA warning and a window warning fall within minutes', async () => {
    // Breach 2 minutes before the close, warned 30 minutes before it: the window's own 30-minute warning comes 2 minutes earlier.
    const acc = await account({ responseTargets: { firstMinutes: 24 * 60 - 2, nextMinutes: 60, warnMinutes: 28 } });
    const c = await customerWrites(acc, start);
    const closes = new Date(start.getTime() + WINDOW);
    expect(await sweepAt(new Date(closes.getTime() - 120 * MINUTE))).toHaveLength(1);
    const windowWarning = await sweepAt(new Date(closes.getTime() - 30 * MINUTE));
    expect(windowWarning).toHaveLength(1);
    expect(windowWarning[0]?.text).toContain('first response target');
    expect(windowWarning[0]?.text).toContain('24-hour window');
    expect(windowWarning[0]).toMatchObject({ thread_ts: c.threadTs });
    // The SLA warning's own moment: nothing more.
    expect(await sweepAt(new Date(closes.getTime() - 30 * MINUTE + 2 * MINUTE))).toEqual([]);
    expect(await sweepAt(new Date(closes.getTime() - 2 * MINUTE))).toEqual([expect.objectContaining({ text: expect.stringContaining('was breached') })]);
  });

  it('combines the other way round: the SLA warning first, the window warning minutes later stays silent', async () => {
    const acc = await account({ responseTargets: { firstMinutes: 24 * 60 - 25, nextMinutes: 60, warnMinutes: 8 } });
    await customerWrites(acc, start);
    const closes = new Date(start.getTime() + WINDOW);
    await sweepAt(new Date(closes.getTime() - 120 * MINUTE));
    // SLA warning at close - 33 min; the window's 30-minute warning is 3 minutes later.
    const sla = await sweepAt(new Date(closes.getTime() - 33 * MINUTE));
    expect(sla).toHaveLength(1);
    expect(sla[0]?.text).toContain('first response target');
    expect(sla[0]?.text).toContain('24-hour window');
    expect(await sweepAt(new Date(closes.getTime() - 30 * MINUTE))).toEqual([]);
    expect(await sweepAt(new Date(closes.getTime() - 25 * MINUTE))).toHaveLength(1);
  });
});
