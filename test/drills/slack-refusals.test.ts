/**
 * Drill: Slack refuses posts for reasons that will not change by themselves (the bot is not in the
 * channel, blocks it will not take, a payload our own schema refuses). Each is set aside once, not
 * retried, and its lane goes on; the admins hear what to do; Retry delivers it once the cause is fixed.
 */
import { enqueue } from '../../src/outbox';
import { AuditModel, OutboxModel } from '../../src/store/models';
import { WINDOW_KINDS } from '../../src/window/sweep';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server';
import { startTestService, type TestService } from '../helpers/service';
import { blockActionsBody, postToSlackEvents, viewContainer, waitFor } from '../helpers/slack';
import { cloudTextWebhook, MARK, marksOf, postWebhook, seedServiceAccount, wamid, type SeededAccount } from './support';

const ADMIN = 'U0ADMIN';

describe('drill: Slack refuses for good', () => {
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
  beforeEach(async () => {
    slack.reset();
    await OutboxModel.deleteMany({});
  });

  /** Lets the outbox work as if `ms` had passed, without sleeping. */
  async function pass(ms: number): Promise<void> {
    service.clock.advance(ms);
    await service.outbox.drain();
  }

  async function customersWrite(account: SeededAccount, tag: string, who: readonly string[], perCustomer: number): Promise<void> {
    const start = Math.floor(service.clock.now().getTime() / 1000);
    for (let n = 0; n < perCustomer; n++) {
      for (const [i, name] of who.entries()) {
        const body = cloudTextWebhook([{ wamid: wamid(`${tag}${name}${n}`), from: `62813${tag.length}0000${i}`, body: `msg [drill:${name}:${n}]`, timestamp: start + n, name }]);
        expect((await postWebhook(service.url, account.id, body)).status).toBe(200);
      }
    }
    await service.journal.drain();
  }

  const postsIn = (channel: string) => slack.calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === channel);

  async function clickRetry(accountId: string, teamId = 'T0001'): Promise<void> {
    const body = blockActionsBody(ADMIN, viewContainer({ id: 'V0HOME', type: 'home' }), { type: 'button', action_id: 'set-aside.retry', value: accountId });
    const signed = teamId === 'T0001' ? body : new URLSearchParams({ payload: (new URLSearchParams(body).get('payload') ?? '').replaceAll('T0001', teamId) }).toString();
    expect((await postToSlackEvents(service.url, signed, { now: service.clock.now() })).status).toBe(200);
  }

  async function openHome(): Promise<string> {
    const before = slack.callsOf('views.publish').length;
    const body = JSON.stringify({
      type: 'event_callback',
      team_id: 'T0001',
      api_app_id: 'A0001',
      event: { type: 'app_home_opened', user: ADMIN, channel: 'D0001', tab: 'home', event_ts: '1.0' },
      event_id: `Ev${Date.now()}`,
      event_time: 1,
      authorizations: [{ team_id: 'T0001', user_id: 'UBOT', is_bot: true }],
    });
    await postToSlackEvents(service.url, body, { now: service.clock.now(), contentType: 'application/json' });
    return JSON.stringify((await waitFor(() => slack.callsOf('views.publish')[before], 'the Home tab')).args);
  }

  it('a private channel the bot was removed from: set aside once, the admin told once, Retry delivers each message once and in order', async () => {
    // An admin-given name with Slack's control characters: shown as typed, pinging nobody.
    const account = await seedServiceAccount(service, { channelId: 'C0PRIV', name: 'Toko <!channel> & Co' });
    slack.fail({ kind: 'error', error: 'not_in_channel' }, { methods: ['chat.postMessage'], channels: ['C0PRIV'] });
    slack.fail({ kind: 'error', error: 'method_not_supported_for_channel_type' }, { methods: ['conversations.join'] });

    await customersWrite(account, 'p', ['ani', 'budi'], 3);
    await pass(0);
    const refusedOnce = postsIn('C0PRIV').length;
    // Each message's item was tried once (its thread root refused) and set aside; the lanes went on.
    expect(refusedOnce).toBe(6);
    const aside = await OutboxModel.find({ state: 'failed' }).lean();
    expect(aside.filter((i) => i.kind === 'conversation.post')).toHaveLength(6);
    expect(aside.every((i) => i.slackError === 'not_in_channel' && String(i.accountId) === account.id)).toBe(true);
    expect(slack.calls.filter((c) => c.method === 'conversations.join')).toHaveLength(1);

    // The admin who connected the account hears it once, in a DM, with what to do.
    const dms = slack.posts().filter((c) => c.args.channel === ADMIN);
    expect(dms).toHaveLength(1);
    expect(String(dms[0]?.args.text)).toContain('Invite @wadesk');
    expect(String(dms[0]?.args.text)).toContain('<#C0PRIV>');
    expect(String(dms[0]?.args.text)).toContain('*Toko &lt;!channel&gt; &amp; Co*');

    // Nothing is retried by itself, however long.
    await pass(60 * 60_000);
    await pass(24 * 60 * 60_000);
    expect(postsIn('C0PRIV')).toHaveLength(refusedOnce);

    // Admins see it on the Home tab, with Retry.
    const home = await openHome();
    expect(home).toContain('Messages Slack refused');
    expect(home).toContain('6 messages set aside');
    expect(home).toContain('Toko &lt;!channel&gt; &amp; Co');
    expect(home).not.toContain('<!channel>');
    expect(home).toContain('set-aside.retry');

    // Another workspace's admin cannot retry it.
    await clickRetry(account.id, 'T9999');
    const notice = await waitFor(() => slack.callsOf('views.open')[0], 'the refusal');
    expect(JSON.stringify(notice.args)).toContain('no longer exists in this workspace');
    await pass(0);
    expect(await OutboxModel.countDocuments({ state: 'failed', kind: 'conversation.post' })).toBe(6);

    // Invited: Retry delivers every message once, in order, one thread per customer.
    slack.clearFaults();
    await clickRetry(account.id);
    await waitFor(async () => (await OutboxModel.countDocuments({ state: 'failed', kind: 'conversation.post' })) === 0 || undefined, 'the retry');
    await pass(0);
    const marks = marksOf(slack.posts());
    for (const who of ['ani', 'budi']) expect(marks.filter((m) => m.conversation === who).map((m) => m.n)).toEqual([0, 1, 2]);
    const roots = slack.posts().filter((c) => c.args.channel === 'C0PRIV' && c.args.thread_ts === undefined);
    expect(roots).toHaveLength(2);
    expect(await OutboxModel.countDocuments({ kind: 'conversation.post' })).toBe(0);
    expect(await AuditModel.countDocuments({ action: 'outbox.retry', subject: `account:${account.id}`, actorId: ADMIN })).toBe(1);
  });

  it.each([
    ['channel_not_found', 'Slack cannot find <#C0GONE>', true],
    ['is_archived', '<#C0GONE> is archived', true],
    ['invalid_auth', 'Reinstall the app', false],
  ])('%s: set aside once without a join, the Home tab says why, Retry delivers once fixed', async (error, why, dm) => {
    const account = await seedServiceAccount(service, { channelId: 'C0GONE' });
    slack.fail({ kind: 'error', error }, { methods: ['chat.postMessage'], channels: ['C0GONE'] });
    await customersWrite(account, `s${error}`, ['eka'], 2);
    await pass(0);
    await pass(24 * 60 * 60_000);
    expect(postsIn('C0GONE')).toHaveLength(2);
    expect(slack.calls.filter((c) => c.method === 'conversations.join')).toHaveLength(0);
    const dms = slack.posts().filter((c) => c.args.channel === ADMIN);
    expect(dms).toHaveLength(dm ? 1 : 0);
    expect(await openHome()).toContain(why);

    slack.clearFaults();
    await clickRetry(account.id);
    await waitFor(async () => (await OutboxModel.countDocuments({ state: 'failed', kind: 'conversation.post' })) === 0 || undefined, 'the retry');
    await pass(0);
    expect(marksOf(slack.posts()).map((m) => m.n)).toEqual([0, 1]);
  });

  it('a public channel the bot is not in: it joins once and delivers, telling nobody', async () => {
    const account = await seedServiceAccount(service, { channelId: 'C0PUB' });
    slack.fail({ kind: 'error', error: 'not_in_channel' }, { methods: ['chat.postMessage'], channels: ['C0PUB'] });
    // Joining is what lets it post.
    slack.on('conversations.join', (args) => {
      slack.clearFaults();
      return { channel: { id: args.channel, is_member: true } };
    });
    await customersWrite(account, 'q', ['citra'], 2);
    await pass(0);
    await pass(0);
    expect(slack.calls.filter((c) => c.method === 'conversations.join')).toHaveLength(1);
    expect(marksOf(slack.posts()).map((m) => m.n)).toEqual([0, 1]);
    expect(slack.posts().filter((c) => c.args.channel === ADMIN)).toHaveLength(0);
    expect(await OutboxModel.countDocuments({ state: 'failed' })).toBe(0);
  });

  it('a channel Slack cannot find: set aside without trying to join, the admin told to invite wadesk or choose another channel', async () => {
    const account = await seedServiceAccount(service, { channelId: 'C0GONE' });
    slack.fail({ kind: 'error', error: 'channel_not_found' }, { methods: ['chat.postMessage'], channels: ['C0GONE'] });
    await customersWrite(account, 'g', ['eko'], 2);
    await pass(0);
    await pass(0);

    const aside = await OutboxModel.find({ state: 'failed', kind: 'conversation.post' }).lean();
    expect(aside.map((i) => i.slackError)).toEqual(['channel_not_found', 'channel_not_found']);
    expect(slack.calls.filter((c) => c.method === 'conversations.join')).toHaveLength(0);
    const dms = slack.posts().filter((c) => c.args.channel === ADMIN);
    expect(dms).toHaveLength(1);
    expect(String(dms[0]?.args.text)).toContain('Slack cannot find <#C0GONE>');
    await pass(24 * 60 * 60_000);
    expect(postsIn('C0GONE')).toHaveLength(2);
  });

  it('a revoked bot token (invalid_auth): every post set aside once, nothing retried by itself; Retry delivers once Slack takes the token again', async () => {
    const account = await seedServiceAccount(service, { channelId: 'C0AUTH' });
    // Every Web API call is refused, as Slack does for a revoked token; Bolt's cached identity still lets the Retry click in.
    slack.fail({ kind: 'error', error: 'invalid_auth' }, { methods: ['chat.postMessage', 'conversations.join', 'users.info'] });
    await customersWrite(account, 'a', ['fajar'], 2);
    await pass(0);
    const refused = postsIn('C0AUTH').length;
    expect(refused).toBe(2);
    const aside = await OutboxModel.find({ state: 'failed' }).lean();
    expect(aside.map((i) => [i.kind, i.slackError])).toEqual([['conversation.post', 'invalid_auth'], ['conversation.post', 'invalid_auth']]);
    // No join, and no DM: with the same token it could not be sent.
    expect(slack.calls.filter((c) => c.method === 'conversations.join' || c.args.channel === ADMIN)).toHaveLength(0);
    await pass(24 * 60 * 60_000);
    expect(postsIn('C0AUTH')).toHaveLength(refused);

    slack.clearFaults();
    await clickRetry(account.id);
    await waitFor(async () => (await OutboxModel.countDocuments({ state: 'failed' })) === 0 || undefined, 'the retry');
    await pass(0);
    expect(marksOf(slack.posts()).map((m) => m.n)).toEqual([0, 1]);
    expect(await OutboxModel.countDocuments({ kind: 'conversation.post' })).toBe(0);
  });

  it('blocks Slack refuses: the same words are posted once as plain text, and nothing is set aside', async () => {
    const account = await seedServiceAccount(service, { channelId: 'C0BLK' });
    await customersWrite(account, 'r', ['dewi'], 2);
    // The first message's blocks are refused, once.
    let refused = 0;
    slack.on('chat.postMessage', (args) => {
      if (MARK.test(String(args.text)) && args.blocks !== undefined && String(args.text).includes(':0]') && refused++ === 0) return { ok: false, error: 'invalid_blocks' };
      return { ts: `${1_800_000_000 + slack.calls.length}.000100`, channel: args.channel };
    });
    await pass(0);
    const posts = slack.calls.filter((c) => c.method === 'chat.postMessage' && MARK.test(String(c.args.text)));
    expect(posts.map((c) => [String(c.args.text), c.args.blocks === undefined])).toEqual([
      ['msg [drill:dewi:0]', false],
      ['msg [drill:dewi:0]', true],
      ['msg [drill:dewi:1]', false],
    ]);
    expect(await OutboxModel.countDocuments({ state: 'failed' })).toBe(0);
  });

  it('a payload our own schema refuses is set aside at its first attempt, and its lane goes on', async () => {
    const now = service.clock.now();
    await enqueue(
      [
        { key: 'drill:bad-alert', lane: 'drill:lane', kind: WINDOW_KINDS.warning, payload: { conversationId: 'x' } },
        { key: 'drill:next', lane: 'drill:lane', kind: WINDOW_KINDS.warning, payload: { conversationId: 'y' } },
      ],
      now,
    );
    await pass(0);
    const bad = await OutboxModel.findById('drill:bad-alert').lean();
    expect(bad).toMatchObject({ state: 'failed', attempts: 1 });
    expect(bad?.lastError).toContain('malformed outbox payload');
    expect(await OutboxModel.findById('drill:next').lean()).toMatchObject({ state: 'failed', attempts: 1 });
  });
});
