/**
 * Drill: the database goes away and comes back. /readyz fails meanwhile, webhooks
 * get 503 (so Meta retries them) and nothing of them is stored; redelivered afterwards, they are stored once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConversationModel, journalEntries, MessageModel, OutboxModel } from '../../src/store/models';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server';
import { startTestService, uniqueDbName, type TestService } from '../helpers/service';
import { startStoppableDatabase, type StoppableDatabase } from '../helpers/stoppable-db';
import { cloudTextWebhook, marksOf, postWebhook, seedServiceAccount, waitFor, wamid, type SeededAccount } from './support';

describe('drill: database away and back', () => {
  let dir: string;
  let db: StoppableDatabase;
  let slack: FakeSlack;
  let service: TestService;
  let account: SeededAccount;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wadesk-drill-db-'));
    db = await startStoppableDatabase(dir);
    slack = await startFakeSlack();
    service = await startTestService({ MONGODB_URI: db.uri, SLACK_API_URL: slack.apiUrl }, { dbName: uniqueDbName() });
    account = await seedServiceAccount(service);
  });
  afterAll(async () => {
    await service?.stop();
    await slack?.stop();
    await db?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 while it is gone, stores nothing, and takes the redelivery once it is back', async () => {
    const at = Math.floor(service.clock.now().getTime() / 1000);
    const bodies = ['hana', 'indra', 'joko'].map((who, i) =>
      cloudTextWebhook([{ wamid: wamid(who), from: `62814000000${i}`, body: `while down [drill:${who}:0]`, timestamp: at, name: who }]),
    );
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);

    await db.stop();
    expect((await fetch(`${service.url}/readyz`)).status).toBe(503);
    const during = await Promise.all(bodies.map((b) => postWebhook(service.url, account.id, b)));
    expect(during.map((r) => r.status)).toEqual([503, 503, 503]);
    for (const r of during) expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);

    await db.restart();
    expect(await waitFor(async () => (await fetch(`${service.url}/readyz`)).status === 200, 15_000, 100)).toBe(true);
    // Nothing of the refused deliveries was kept: no message, no conversation, no outbox item.
    expect(await MessageModel.countDocuments({ accountId: account._id })).toBe(0);
    expect(await ConversationModel.countDocuments({ accountId: account._id })).toBe(0);
    expect(await OutboxModel.countDocuments({})).toBe(0);
    expect(await journalEntries().countDocuments({})).toBe(0);

    // Meta's retry.
    const after = await Promise.all(bodies.map((b) => postWebhook(service.url, account.id, b)));
    expect(after.map((r) => r.status)).toEqual([200, 200, 200]);
    await service.journal.drain();
    expect(await MessageModel.countDocuments({ accountId: account._id })).toBe(3);
    await service.outbox.drain();
    expect(marksOf(slack.posts()).map((m) => m.conversation).sort()).toEqual(['hana', 'indra', 'joko']);
  });
});
