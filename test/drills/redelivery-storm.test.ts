/**
 * Drill: Meta delivers the same batch 20 times at once. Each message is stored
 * once and posted to Slack once.
 */
import { ConversationModel, MessageModel, OutboxModel } from '../../src/store/models';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server';
import { startTestService, type TestService } from '../helpers/service';
import { cloudTextWebhook, marksOf, postWebhook, seedServiceAccount, wamid, type InboundText } from './support';

describe('drill: redelivery storm', () => {
  let slack: FakeSlack;
  let service: TestService;

  beforeAll(async () => {
    slack = await startFakeSlack();
    service = await startTestService({ SLACK_API_URL: slack.apiUrl });
  });
  afterAll(async () => {
    await service?.stop();
    await slack?.stop();
  });

  it('stores and posts each message of a batch delivered 20 times concurrently exactly once', async () => {
    const account = await seedServiceAccount(service);
    const at = Math.floor(service.clock.now().getTime() / 1000);
    // One delivery, several customers, several messages each: Meta batches like this under load.
    const batch: InboundText[] = [];
    for (const [c, who] of ['dina', 'eko', 'fajar', 'gita'].entries()) {
      for (let n = 0; n < 3; n++) batch.push({ wamid: wamid(`${who}${n}`), from: `62813000000${c}`, body: `hi [drill:${who}:${n}]`, timestamp: at + n, name: who });
    }
    const body = cloudTextWebhook(batch);

    const statuses = await Promise.all(Array.from({ length: 20 }, () => postWebhook(service.url, account.id, body).then((r) => r.status)));
    // A duplicate is not an error: every copy is acknowledged, or Meta would keep redelivering it.
    expect(statuses).toEqual(Array(20).fill(200));
    await service.journal.drain();

    expect(await MessageModel.countDocuments({ accountId: account._id })).toBe(batch.length);
    for (const m of batch) expect(await MessageModel.countDocuments({ wamid: m.wamid })).toBe(1);
    expect(await ConversationModel.countDocuments({ accountId: account._id })).toBe(4);

    // And once more, later, as Meta's retries would.
    expect((await postWebhook(service.url, account.id, body)).status).toBe(200);
    await service.journal.drain();

    await service.outbox.drain();
    service.clock.advance(60_000);
    await service.outbox.drain();
    const marks = marksOf(slack.posts()).map((m) => `${m.conversation}:${m.n}`);
    expect(marks.sort()).toEqual(batch.map((m) => /\[drill:(\w+:\d+)\]/.exec(m.body)?.[1]).sort());
    expect(slack.posts().filter((c) => c.args.thread_ts === undefined)).toHaveLength(4);
    expect(await OutboxModel.countDocuments({ state: 'pending' })).toBe(0);
  });
});
