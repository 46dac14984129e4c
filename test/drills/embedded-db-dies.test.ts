/**
 * Drill: the embedded database process is killed (SIGKILL) while signed webhooks stream in, twice.
 * The service restarts it and reconnects without being restarted itself; every delivery Meta
 * retries until it is acknowledged is stored once and posted to Slack once. A database that cannot
 * be restarted fails /healthz after EMBEDDED_DB_MAX_DOWN_SECONDS, and a shutdown without it is quick.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { MessageModel } from '../../src/store/models';
import { DEFAULT_DATABASE, uriWithDatabase } from '../../src/store/uri';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server';
import { UNPACED } from '../helpers/unpaced';
import {
  BOT_TOKEN,
  cloudTextWebhook,
  markOf,
  postCounts,
  postWebhook,
  seedCloudAccount,
  SIGNING_SECRET,
  startChildService,
  waitFor,
  wamid,
  type ChildService,
  type InboundText,
  type SeededAccount,
} from './support';

const CUSTOMERS = 6;
const PER_CUSTOMER = 10;

/** The service's embedded database process: its pid and port, from /proc. */
function databaseOf(servicePid: number): { pid: number; port: number } | undefined {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (comm !== 'embedded-db' || ppid !== servicePid) continue;
    const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    const listen = args[args.indexOf('-listen') + 1] ?? '';
    return { pid: Number(entry), port: Number(listen.split(':')[1]) };
  }
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('drill: the embedded database dies', () => {
  let dir: string;
  let slack: FakeSlack;
  let service: ChildService;
  let account: SeededAccount;
  const key = crypto.randomBytes(32);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wadesk-drill-embedded-'));
    slack = await startFakeSlack();
    service = await startChildService({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      DATA_DIR: dir,
      ENCRYPTION_KEY: key.toString('base64'),
      EMBEDDED_DB_MAX_DOWN_SECONDS: '1',
      ...UNPACED,
    });
    const db = databaseOf(service.child.pid ?? 0);
    if (!db) throw new Error('the service runs no embedded database');
    // The service's own database (the URI names none: the default), read and written beside it.
    await mongoose.connect(uriWithDatabase(`mongodb://127.0.0.1:${db.port}/`, DEFAULT_DATABASE), { retryWrites: false, serverSelectionTimeoutMS: 15_000 });
    account = await seedCloudAccount(key);
  });
  afterAll(async () => {
    await mongoose.disconnect();
    await service?.kill();
    await slack?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const status = async (p: string) => (await fetch(`${service.url}${p}`)).status;

  /** Kills the database and resolves once a new one answers and the service is ready again. */
  async function killDatabase(): Promise<void> {
    const db = databaseOf(service.child.pid ?? 0);
    if (!db) throw new Error('no embedded database to kill');
    process.kill(db.pid, 'SIGKILL');
    const restarted = () => {
      const now = databaseOf(service.child.pid ?? 0);
      return now !== undefined && now.pid !== db.pid;
    };
    expect(await waitFor(restarted, 20_000, 20)).toBe(true);
    expect(await waitFor(async () => (await status('/readyz')) === 200, 20_000, 50)).toBe(true);
  }

  it('restarts it twice mid-stream; every acknowledged message is stored and posted exactly once', async () => {
    const at = Math.floor(Date.now() / 1000);
    const messages: InboundText[][] = Array.from({ length: CUSTOMERS }, (_, c) =>
      Array.from({ length: PER_CUSTOMER }, (_, n) => ({ wamid: wamid(`e${c}-${n}`), from: `62817000000${c}`, body: `stream [drill:e${c}:${n}]`, timestamp: at + n })),
    );
    const total = CUSTOMERS * PER_CUSTOMER;
    let acked = 0;
    const answers = new Map<number, number>();

    // One delivery in flight per customer, as Meta does; a 503 (or a dropped connection) is retried until it is acknowledged.
    const streams = messages.map(async (list) => {
      for (const m of list) {
        for (;;) {
          const res = await postWebhook(service.url, account.id, cloudTextWebhook([m])).catch(() => undefined);
          if (res) answers.set(res.status, (answers.get(res.status) ?? 0) + 1);
          if (res?.status === 200) break;
          if (res && res.status !== 503) throw new Error(`a delivery was answered ${res.status}`);
          await new Promise((r) => setTimeout(r, 100)); // Meta's pause before a retry
        }
        acked++;
      }
    });
    const kills = (async () => {
      for (const share of [1 / 3, 2 / 3]) {
        expect(await waitFor(() => acked >= total * share, 30_000, 10)).toBe(true);
        await killDatabase();
      }
    })();
    await Promise.all([...streams, kills]);

    expect(service.child.exitCode).toBeNull();
    expect(service.output.filter((l) => l.includes('the embedded database was restarted'))).toHaveLength(2);
    expect([...answers.keys()].filter((s) => s !== 200 && s !== 503)).toEqual([]);

    const marks = messages.flat().map((m) => markOf(m.body));
    expect(await waitFor(() => marks.every((m) => postCounts(slack.posts()).has(m)), 30_000, 100)).toBe(true);
    for (const list of messages) for (const m of list) expect(await MessageModel.countDocuments({ wamid: m.wamid })).toBe(1);
    expect([...postCounts(slack.posts()).entries()].filter(([, n]) => n > 1)).toEqual([]);
    // One thread root per customer.
    expect(slack.posts().filter((c) => c.args.thread_ts === undefined)).toHaveLength(CUSTOMERS);
  }, 90_000);

  it('fails /healthz while the database stays down, recovers when it can start again, and stops quickly without it', async () => {
    // Holds the port and drops whoever connects (the driver keeps trying), so closing it waits for nobody.
    const blocker = net.createServer((socket) => socket.destroy());
    /** Kills the database and takes its port, so that its restarts fail; again if a restart was quicker. */
    const keepDown = async () => {
      for (;;) {
        const db = databaseOf(service.child.pid ?? 0);
        if (!db) throw new Error('no embedded database');
        process.kill(db.pid, 'SIGKILL');
        expect(await waitFor(() => !alive(db.pid), 5_000, 5)).toBe(true);
        const taken = await new Promise<boolean>((resolve) => {
          blocker.once('error', () => resolve(false));
          blocker.listen(db.port, '127.0.0.1', () => resolve(true));
        });
        if (taken) return;
        await waitFor(() => databaseOf(service.child.pid ?? 0) !== undefined, 20_000, 20);
      }
    };
    const release = () => new Promise<void>((resolve) => blocker.close(() => resolve()));

    expect(await status('/healthz')).toBe(200);
    await keepDown();
    expect(await status('/readyz')).toBe(503);
    expect(await waitFor(async () => (await status('/healthz')) === 503, 10_000, 50)).toBe(true);
    expect(service.output.some((l) => l.includes('the embedded database could not be restarted'))).toBe(true);

    await release();
    expect(await waitFor(async () => (await status('/healthz')) === 200 && (await status('/readyz')) === 200, 20_000, 50)).toBe(true);

    // Gone for good, with deliveries waiting for it: the shutdown must not wait out the driver's time-outs.
    await keepDown();
    const at = Math.floor(Date.now() / 1000);
    const waiting = Array.from({ length: 8 }, (_, n) =>
      postWebhook(service.url, account.id, cloudTextWebhook([{ wamid: wamid(`stop${n}`), from: `62818000000${n}`, body: 'at shutdown', timestamp: at }])).then(
        (res) => res.status,
        () => 0,
      ),
    );
    // Answered after them: they have reached the service, and wait for the database.
    expect(await status('/healthz')).toBe(200);
    const started = performance.now();
    await service.stop();
    const tookMs = performance.now() - started;
    await release();
    expect(await service.exited).toBe('0');
    expect(tookMs).toBeLessThan(5_000);
    // Nothing was acknowledged without being stored: each was refused (503), or cut off by the shutdown (0).
    expect((await Promise.all(waiting)).filter((s) => s !== 503 && s !== 0)).toEqual([]);
  }, 90_000);
});
