/**
 * Drills: two service processes on one MongoDB replica set (`npm run test:mongodb`; see
 * `describeMultiInstance`), sharing the outbox, the window sweep and the journal. Each outbox item
 * is posted once, each window alert once, and the journal entries of a process killed mid-stream
 * are ingested by the other: nothing acknowledged is lost, nothing is stored or posted twice.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { ConversationModel, journalEntries, journalHolders, MessageModel, OutboxModel, WindowAlertModel } from '../../src/store/models';
import { uriWithDatabase } from '../../src/store/uri';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server';
import { requireTestDbUri, uniqueDbName } from '../helpers/service';
import { UNPACED } from '../helpers/unpaced';
import {
  BOT_TOKEN,
  CHANNEL_ID,
  SIGNING_SECRET,
  cloudTextWebhook,
  deliverLikeMeta,
  describeMultiInstance,
  markOf,
  postCounts,
  postWebhook,
  seedCloudAccount,
  startChildService,
  waitFor,
  wamid,
  type ChildService,
  type InboundText,
} from './support';

describeMultiInstance('drill: two processes on one MongoDB replica set', () => {
  let dir: string;
  let slack: FakeSlack;
  let env: Record<string, string>;
  const key = crypto.randomBytes(32);
  let services: ChildService[] = [];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wadesk-drill-two-'));
    slack = await startFakeSlack();
    const dbName = uniqueDbName();
    await mongoose.connect(requireTestDbUri(), { dbName });
    env = {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      MONGODB_URI: uriWithDatabase(requireTestDbUri(), dbName),
      ENCRYPTION_KEY: key.toString('base64'),
      LOG_LEVEL: 'error',
      ...UNPACED,
    };
  });
  afterEach(async () => {
    for (const s of services) await s.kill();
    services = [];
    await mongoose.disconnect();
    await slack?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function startTwo(extra: Record<string, string> = {}): Promise<[ChildService, ChildService]> {
    const a = await startChildService({ ...env, ...extra, DATA_DIR: path.join(dir, 'a') });
    services.push(a);
    const b = await startChildService({ ...env, ...extra, DATA_DIR: path.join(dir, 'b') });
    services.push(b);
    return [a, b];
  }

  const stream = (tag: string, customers: number, each: number): InboundText[][] => {
    const at = Math.floor(Date.now() / 1000);
    return Array.from({ length: customers }, (_, c) =>
      Array.from({ length: each }, (_, n) => ({ wamid: wamid(`${tag}${c}-${n}`), from: `62816${tag === 'o' ? 1 : 2}0000${String(c).padStart(2, '0')}`, body: `two [drill:${tag}${c}:${n}]`, timestamp: at + n })),
    );
  };

  it('posts every outbox item once while both processes deliver from the one outbox', async () => {
    const [a, b] = await startTwo();
    const account = await seedCloudAccount(key, { channelId: CHANNEL_ID });
    const messages = stream('o', 8, 6);
    // Each customer's deliveries alternate between the processes, so both outbox workers have every lane's items to contend for.
    await Promise.all(
      messages.map(async (list) => {
        for (const [n, m] of list.entries()) expect(await deliverLikeMeta((n % 2 ? b : a).url, account.id, cloudTextWebhook([m]))).toBe(200);
      }),
    );
    const all = messages.flat().map((m) => markOf(m.body));
    expect(await waitFor(() => all.every((m) => postCounts(slack.posts()).has(m)), 30_000, 100)).toBe(true);
    expect(await waitFor(async () => (await OutboxModel.countDocuments({})) === 0, 20_000, 100)).toBe(true);
    expect([...postCounts(slack.posts()).entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect(await MessageModel.countDocuments({ accountId: account._id })).toBe(all.length);
    expect(await ConversationModel.countDocuments({ accountId: account._id })).toBe(messages.length);
  }, 90_000);

  it('posts each window alert once while both processes sweep every second', async () => {
    await startTwo({ EXPIRY_SWEEP_CRON: '* * * * * *' });
    const account = await seedCloudAccount(key, { channelId: CHANNEL_ID });
    const now = Date.now();
    const closesAt = new Date(now + 100 * 60_000);
    const threads = Array.from({ length: 20 }, (_, n) => `1767600000.${String(n).padStart(6, '0')}`);
    for (const [n, threadTs] of threads.entries()) {
      const c = await ConversationModel.create({
        accountId: account._id,
        waId: `6281700000${String(n).padStart(2, '0')}`,
        channelId: CHANNEL_ID,
        threadTs,
        lastInboundAt: new Date(closesAt.getTime() - 24 * 3_600_000),
        windowClosesAt: closesAt,
      });
      await WindowAlertModel.create({ _id: c._id, accountId: account._id, waId: c.waId, channelId: CHANNEL_ID, threadTs, closesAt, nextAlertAt: new Date(now - 1_000) });
    }
    const inThreads = () => slack.posts().filter((p) => threads.includes(String(p.args.thread_ts)));
    expect(await waitFor(() => inThreads().length >= threads.length, 30_000, 100)).toBe(true);
    // Several sweeps of both processes later, still one warning a thread.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const perThread = new Map<string, number>();
    for (const p of inThreads()) perThread.set(String(p.args.thread_ts), (perThread.get(String(p.args.thread_ts)) ?? 0) + 1);
    expect(perThread).toEqual(new Map(threads.map((t) => [t, 1])));
  }, 90_000);

  it("ingests, on the other process, the journal entries of one killed mid-stream: nothing lost or doubled", async () => {
    const [a, b] = await startTwo();
    const account = await seedCloudAccount(key, { channelId: CHANNEL_ID });
    const messages = stream('j', 6, 8);
    const acked = new Set<string>();
    let killed = false;
    await Promise.all(
      messages.map(async (list) => {
        for (const m of list) {
          if (killed) return;
          try {
            if ((await postWebhook(a.url, account.id, cloudTextWebhook([m]))).status === 200) acked.add(m.wamid);
          } catch {
            return; // the connection died with the process
          }
          if (!killed && acked.size >= 16) {
            killed = true;
            a.child.kill('SIGKILL');
          }
        }
      }),
    );
    expect(await a.exited).toBe('SIGKILL');
    // The killed process's hold (30 s) and outbox leases (60 s) would keep the other out that long; let that time pass.
    await journalHolders().updateMany({}, { $set: { heldUntil: new Date(0) } });
    await OutboxModel.updateMany({ leaseUntil: { $exists: true } }, { $set: { leaseUntil: new Date(0) } });

    // The survivor takes the entries over at its next recovery pass (every 5 s) and ingests them.
    const storedOnce = async () => {
      for (const id of acked) if ((await MessageModel.countDocuments({ wamid: id })) !== 1) return false;
      return true;
    };
    expect(await waitFor(storedOnce, 30_000, 100)).toBe(true);
    // Meta redelivers what was not acknowledged, to the survivor.
    for (const m of messages.flat().filter((x) => !acked.has(x.wamid))) expect(await deliverLikeMeta(b.url, account.id, cloudTextWebhook([m]))).toBe(200);
    const all = messages.flat().map((m) => markOf(m.body));
    expect(await waitFor(() => all.every((m) => postCounts(slack.posts()).has(m)), 30_000, 100)).toBe(true);
    const settled = async () => (await journalEntries().countDocuments({})) === 0 && (await OutboxModel.countDocuments({})) === 0;
    expect(await waitFor(settled, 30_000, 100)).toBe(true);
    expect([...postCounts(slack.posts()).entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect(await MessageModel.countDocuments({ accountId: account._id })).toBe(all.length);
  }, 90_000);
});
