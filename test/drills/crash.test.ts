/**
 * Drill: the service process is killed with SIGKILL while it ingests. After a
 * restart, every message it acknowledged with 200 is stored and reaches Slack exactly once.
 * The suite's database outlives the service.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { journalEntries, journalHolders, MessageModel, OutboxModel } from '../../src/store/models';
import { uriWithDatabase } from '../../src/store/uri';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server';
import { requireTestDbUri, uniqueDbName } from '../helpers/service';
import { UNPACED } from '../helpers/unpaced';
import {
  BOT_TOKEN,
  cloudTextWebhook,
  deliverLikeMeta,
  marksOf,
  postWebhook,
  seedCloudAccount,
  SIGNING_SECRET,
  startChildService,
  waitFor,
  wamid,
  type ChildService,
  type InboundText,
} from './support';

const CUSTOMERS = 6;
const PER_CUSTOMER = 8;

describe('drill: crash mid-stream', () => {
  let dir: string;
  let slack: FakeSlack;
  let env: Record<string, string>;
  const key = crypto.randomBytes(32);
  const services: ChildService[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wadesk-drill-crash-'));
    slack = await startFakeSlack();
    const dbName = uniqueDbName();
    await mongoose.connect(requireTestDbUri(), { dbName, retryWrites: false });
    env = {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      MONGODB_URI: uriWithDatabase(requireTestDbUri(), dbName),
      ENCRYPTION_KEY: key.toString('base64'),
      DATA_DIR: path.join(dir, 'data'),
      LOG_LEVEL: 'error',
      ...UNPACED,
    };
  });
  afterAll(async () => {
    for (const s of services) await s.kill();
    await mongoose.disconnect();
    await slack?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged message and posts each exactly once after a SIGKILL and restart', async () => {
    const first = await startChildService(env);
    services.push(first);
    const account = await seedCloudAccount(key);
    const at = Math.floor(Date.now() / 1000);
    const messages: InboundText[][] = Array.from({ length: CUSTOMERS }, (_, c) =>
      Array.from({ length: PER_CUSTOMER }, (_, n) => ({ wamid: wamid(`k${c}-${n}`), from: `62815000000${c}`, body: `stream [drill:c${c}:${n}]`, timestamp: at + n })),
    );
    const acked = new Set<string>();
    let killed = false;

    // One delivery in flight per customer, as Meta does per conversation; kill once a third are acknowledged.
    const streams = messages.map(async (list) => {
      for (const m of list) {
        if (killed) return;
        try {
          const res = await postWebhook(first.url, account.id, cloudTextWebhook([m]));
          if (res.status === 200) acked.add(m.wamid);
        } catch {
          return; // the connection died with the process
        }
        if (!killed && acked.size >= (CUSTOMERS * PER_CUSTOMER) / 3) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      }
    });
    await Promise.all(streams);
    expect(await first.exited).toBe('SIGKILL');
    expect(acked.size).toBeGreaterThan(0);

    // Acknowledged means journaled: whatever the dead process had not ingested yet is still there.
    const journaled = new Set((await journalEntries().find({}, { body: 1 }).lean()).flatMap((e) => [...e.body.matchAll(/"id":"(wamid\.[^"]+)"/g)].map((m) => m[1])));
    const ingested = new Set((await MessageModel.find({}, { wamid: 1 }).lean()).map((m) => m.wamid));
    for (const id of acked) expect(journaled.has(id) || ingested.has(id)).toBe(true);

    // The dead process's journal hold (30 s) and outbox leases (60 s) would keep others out; let that time pass.
    await journalHolders().updateMany({}, { $set: { heldUntil: new Date(0) } });
    await OutboxModel.updateMany({ leaseUntil: { $exists: true } }, { $set: { leaseUntil: new Date(0) } });
    const second = await startChildService(env);
    services.push(second);

    const storedOnce = async () => {
      for (const id of acked) if ((await MessageModel.countDocuments({ wamid: id })) !== 1) return false;
      return true;
    };
    expect(await waitFor(storedOnce, 20_000, 100)).toBe(true);
    const ackedMarks = messages.flat().filter((m) => acked.has(m.wamid)).map((m) => /\[drill:(\w+:\d+)\]/.exec(m.body)?.[1]);
    const posted = () => marksOf(slack.posts()).map((m) => `${m.conversation}:${m.n}`);
    expect(await waitFor(() => ackedMarks.every((m) => posted().includes(m ?? '')), 20_000, 100)).toBe(true);

    // Meta redelivers whatever was not acknowledged; then everything is there exactly once.
    for (const m of messages.flat().filter((x) => !acked.has(x.wamid))) {
      // A lock the killed process held makes a redelivery wait; Meta retries a 503.
      expect(await deliverLikeMeta(second.url, account.id, cloudTextWebhook([m]))).toBe(200);
    }
    const all = messages.flat().map((m) => /\[drill:(\w+:\d+)\]/.exec(m.body)?.[1] ?? '');
    expect(await waitFor(() => all.every((m) => posted().includes(m)), 20_000, 100)).toBe(true);
    // Nothing is left to post (journal and outbox empty), so no duplicate can still be on its way.
    const settled = async () => (await journalEntries().countDocuments({})) === 0 && (await OutboxModel.countDocuments({})) === 0;
    expect(await waitFor(settled, 20_000, 100)).toBe(true);
    const counts = new Map<string, number>();
    for (const m of posted()) counts.set(m, (counts.get(m) ?? 0) + 1);
    expect([...counts.entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect(await MessageModel.countDocuments({ accountId: account._id })).toBe(CUSTOMERS * PER_CUSTOMER);
    // One thread root per customer, however the crash fell.
    expect(slack.posts().filter((c) => c.args.thread_ts === undefined)).toHaveLength(CUSTOMERS);
  }, 60_000);
});
