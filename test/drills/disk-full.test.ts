/**
 * Drill: the disk fills up under the embedded database. Webhooks are answered 503 with
 * Retry-After (never 500), /readyz fails while writes fail, and once there is room again
 * every delivery is stored and posted exactly once. The disk is a small tmpfs where the
 * test may mount one (root); elsewhere the driver's error for a refused write is simulated.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/store/embedded';
import { journalEntries, MessageModel } from '../../src/store/models';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server';
import { startTestService, type TestService } from '../helpers/service';
import { cloudTextWebhook, deliverLikeMeta, markOf, postCounts, postWebhook, seedServiceAccount, waitFor, wamid, type InboundText, type SeededAccount } from './support';

const TMPFS_BYTES = 24 * 1024 * 1024;

/** Mounts a tmpfs of `bytes` on `dir`; false where that is not allowed. */
function mountTmpfs(dir: string, bytes: number): boolean {
  if (process.platform !== 'linux') return false;
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'ignore' }).status === 0;
}

/** Writes a file until the filesystem has no room left. */
function fill(file: string): void {
  const chunk = Buffer.alloc(256 * 1024, 1);
  const fd = fs.openSync(file, 'w');
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    // The last, smaller pieces: nothing is left at all.
    for (const size of [65_536, 4_096, 512, 1]) {
      try {
        for (;;) fs.writeSync(fd, Buffer.alloc(size, 1));
      } catch {
        // full at this size
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

function texts(prefix: string, customers: number, at: number): InboundText[] {
  return Array.from({ length: customers }, (_, c) => ({
    wamid: wamid(`${prefix}${c}`),
    from: `62816000000${c}`,
    body: `disk ${'x'.repeat(400)} [drill:${prefix}${c}:0]`,
    timestamp: at,
    name: `${prefix}${c}`,
  }));
}

describe('drill: disk full', () => {
  let dir: string;
  let mounted = false;
  let db: EmbeddedDatabase;
  let slack: FakeSlack;
  let service: TestService;
  let account: SeededAccount;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wadesk-drill-disk-'));
    mounted = mountTmpfs(dir, TMPFS_BYTES);
    db = await startEmbeddedDatabase(path.join(dir, 'db'));
    slack = await startFakeSlack();
    service = await startTestService({ MONGODB_URI: db.uri, SLACK_API_URL: slack.apiUrl });
    account = await seedServiceAccount(service);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await service?.stop();
    await slack?.stop();
    await db?.stop();
    if (mounted) spawnSync('umount', [dir], { stdio: 'ignore' });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function readyz(): Promise<number> {
    return (await fetch(`${service.url}/readyz`)).status;
  }

  /**
   * Once writes succeed again: Meta redelivers what was refused, and then every message, acknowledged
   * or redelivered, is stored once and posted once.
   */
  async function redeliverAndCheck(refused: InboundText[], all: InboundText[]): Promise<void> {
    for (const m of refused) expect(await deliverLikeMeta(service.url, account.id, cloudTextWebhook([m]))).toBe(200);
    expect(await readyz()).toBe(200);
    // Entries whose ingest failed while the disk was full come back after their backoff.
    const storedOnce = async () => {
      await service.journal.drain();
      for (const m of all) if ((await MessageModel.countDocuments({ wamid: m.wamid })) !== 1) return false;
      return (await journalEntries().countDocuments({})) === 0;
    };
    expect(await waitFor(storedOnce, 15_000, 100)).toBe(true);
    // Claims taken before the disk filled may still be held: let their leases run out, without sleeping.
    service.clock.advance(120_000);
    await service.outbox.drain();
    const counts = postCounts(slack.posts());
    for (const m of all) expect([m.body, counts.get(markOf(m.body))]).toEqual([m.body, 1]);
    expect([...counts.values()].filter((n) => n > 1)).toEqual([]);
  }

  it('answers 503 with Retry-After for a refused write, and /readyz fails until writes succeed', async () => {
    const messages = texts('sim', 3, Math.floor(service.clock.now().getTime() / 1000));
    // What the driver reports for an insert the server refused: a bulk write error, not a network one.
    const scratch = mongoose.connection.collection(`scratch_${Date.now()}`);
    const refusal = new mongoose.mongo.MongoBulkWriteError(
      { message: 'database or disk is full', code: 1 },
      await scratch.bulkWrite([{ insertOne: { document: {} } }]),
    );
    await scratch.drop();
    const insert = jest.spyOn(journalEntries(), 'insertMany').mockRejectedValue(refusal);
    try {
      for (const m of messages) {
        const res = await postWebhook(service.url, account.id, cloudTextWebhook([m]));
        expect(res.status).toBe(503);
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      expect(await readyz()).toBe(503);
    } finally {
      insert.mockRestore();
    }
    await redeliverAndCheck(messages, messages);
  });

  it('answers 503 with Retry-After while the disk is full, and loses and repeats nothing once there is room', async () => {
    if (!mounted) {
      console.warn('disk-full drill on a real filesystem skipped: mounting a tmpfs is not allowed here');
      return;
    }
    const at = Math.floor(service.clock.now().getTime() / 1000);
    // Some traffic before, so there are conversations, threads and outbox items mid-way when the disk fills.
    const before = texts('pre', 4, at);
    for (const m of before) expect((await postWebhook(service.url, account.id, cloudTextWebhook([m]))).status).toBe(200);

    const filler = path.join(dir, 'filler');
    fill(filler);
    const during = texts('full', 40, at + 1);
    const acked: InboundText[] = [];
    const refused: InboundText[] = [];
    for (const m of during) {
      const res = await postWebhook(service.url, account.id, cloudTextWebhook([m]));
      expect([200, 503]).toContain(res.status);
      if (res.status === 503) {
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        refused.push(m);
      } else acked.push(m);
    }
    expect(refused.length).toBeGreaterThan(0);
    expect(await readyz()).toBe(503);
    // Ingest and the outbox keep trying while writes fail; they may fail, but must leave nothing half-done for good.
    await service.journal.drain().catch(() => undefined);
    await service.outbox.drain().catch(() => undefined);

    fs.rmSync(filler);
    await redeliverAndCheck(refused, [...before, ...acked, ...refused]);
  });
});
