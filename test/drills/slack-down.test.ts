/**
 * Drill: Slack's API is down (500s, then refused connections), then rate limits
 * with Retry-After. Every message still reaches Slack exactly once, in order per conversation.
 */
import { MessageModel } from '../../src/store/models';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server';
import { startTestService, type TestService } from '../helpers/service';
import { cloudTextWebhook, MARK, marksOf, postWebhook, seedServiceAccount, wamid, type SeededAccount } from './support';

describe('drill: Slack API down', () => {
  let slack: FakeSlack;
  let service: TestService;
  let account: SeededAccount;

  beforeAll(async () => {
    slack = await startFakeSlack();
    service = await startTestService({ SLACK_API_URL: slack.apiUrl });
    account = await seedServiceAccount(service);
  });
  afterAll(async () => {
    await service?.stop();
    await slack?.stop();
  });

  /** Lets the outbox work as if `ms` had passed, without sleeping. */
  async function pass(ms: number): Promise<number> {
    service.clock.advance(ms);
    return service.outbox.drain();
  }

  it('delivers every message exactly once and in order after 500s, refused connections and 429s', async () => {
    const customers = ['alice', 'bob', 'carol'];
    const perCustomer = 4;
    const start = Math.floor(service.clock.now().getTime() / 1000);
    slack.fail({ kind: 'status', status: 500 });

    // Customers write while Slack is down; every delivery is acknowledged and stored.
    for (let n = 0; n < perCustomer; n++) {
      for (const [i, who] of customers.entries()) {
        const body = cloudTextWebhook([{ wamid: wamid(`${who}${n}`), from: `62812000000${i}`, body: `msg [drill:${who}:${n}]`, timestamp: start + n, name: who }]);
        expect((await postWebhook(service.url, account.id, body)).status).toBe(200);
      }
    }
    await service.journal.drain();
    expect(await MessageModel.countDocuments({ accountId: account._id })).toBe(customers.length * perCustomer);

    await service.outbox.drain();
    await pass(2_000);
    expect(slack.calls.filter((c) => c.status === 500).length).toBeGreaterThan(0);
    expect(slack.posts()).toHaveLength(0);

    // Now it refuses connections altogether.
    slack.clearFaults();
    await slack.refuse();
    await pass(5_000);
    await pass(10_000);
    expect(slack.posts()).toHaveLength(0);

    // Back, but rate limited: nothing may be retried before Retry-After has passed.
    await slack.accept();
    slack.fail({ kind: 'ratelimit', retryAfterSeconds: 120 }, { times: 3 });
    await pass(60_000);
    const limitedAt = slack.calls.length;
    expect(slack.calls.filter((c) => c.status === 429).length).toBeGreaterThan(0);
    await pass(60_000);
    expect(slack.calls.length).toBe(limitedAt);

    for (let i = 0; i < 20 && marksOf(slack.posts()).length < customers.length * perCustomer; i++) await pass(5 * 60_000);

    const marks = marksOf(slack.posts());
    expect(marks).toHaveLength(customers.length * perCustomer);
    for (const who of customers) {
      expect(marks.filter((m) => m.conversation === who).map((m) => m.n)).toEqual([0, 1, 2, 3]);
    }
    // One thread each: the header once per conversation, every message inside it.
    const roots = slack.posts().filter((c) => c.args.thread_ts === undefined);
    expect(roots).toHaveLength(customers.length);
    const rootTs = new Set(roots.map((r) => r.ts));
    for (const post of slack.posts().filter((c) => MARK.test(JSON.stringify(c.args)))) expect(rootTs.has(String(post.args.thread_ts))).toBe(true);
  });
});
