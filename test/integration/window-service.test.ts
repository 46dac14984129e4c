import { slackApi, slackResponseUrl } from '../fakes/strict-slack';
import nock from 'nock';
import { z } from 'zod';
import { recordReply } from '../../src/store/conversations';
import { DeliveredModel, OutboxModel } from '../../src/store/models';
import { enqueueDigests, runSweep } from '../../src/window';
import { postToSlackEvents, slashCommandBody } from '../helpers/slack';
import { nockSlackAuth, startTestService, type TestService } from '../helpers/service';
import { HOUR, MINUTE, createAccount, createConversation, recordSlackPosts, type SlackPost } from './window-harness';

const responseShape = z.object({ response_type: z.string(), text: z.string(), blocks: z.array(z.unknown()) });

describe('the window inside the running service', () => {
  let service: TestService;
  let posts: SlackPost[];
  /** What users.info tells of the user: English without a zone unless a test says otherwise. */
  let profile: { locale: string; tz?: string };

  beforeAll(async () => {
    service = await startTestService({ EXPIRY_WARN_MINUTES: '120,30', TZ: 'Asia/Jakarta' });
  });
  afterAll(() => service.stop());
  beforeEach(() => {
    nock.cleanAll();
    nockSlackAuth();
    profile = { locale: 'en-US' };
    slackApi()
      .persist()
      .post('/api/users.info')
      .reply(200, () => ({ ok: true, user: { id: 'U0ADMIN', ...profile } }));
    posts = recordSlackPosts();
  });

  /** Accounts sealed with the service's key: the App Home's accounts section opens their secrets. */
  const account = (opts: Parameters<typeof createAccount>[0] = {}) => createAccount({ ...opts, seal: (p) => service.deps.secrets.seal(p) });

  /** Runs `/whatsapp expiring` and resolves with what was sent back to the user. */
  async function expiring(): Promise<z.infer<typeof responseShape>> {
    const answered = new Promise<unknown>((resolve) => {
      slackResponseUrl('https://hooks.slack.test')
        .post('/commands/T0001/1/abc')
        .reply(200, (_uri, body) => {
          resolve(body);
          return { ok: true };
        });
    });
    const res = await postToSlackEvents(service.url, slashCommandBody({ text: 'expiring' }), { now: service.clock.now() });
    expect(res.status).toBe(200);
    return responseShape.parse(await answered);
  }

  it('shows `/whatsapp expiring` to the user who asked, each account closing first', async () => {
    const now = service.clock.now();
    const shop = await account({ name: 'Toko Ani' });
    const later = await createConversation(shop, new Date(now.getTime() - HOUR), { name: 'Later' });
    await createConversation(shop, new Date(now.getTime() - 20 * HOUR), { name: 'Sooner' });
    await createConversation(shop, new Date(now.getTime() - 25 * HOUR), { name: 'Gone' });
    const reply = await expiring();
    expect(reply.response_type).toBe('ephemeral');
    const body = JSON.stringify(reply.blocks);
    expect(body).toContain('*Toko Ani*');
    expect(body).not.toContain('Gone');
    expect(body.indexOf('Sooner')).toBeGreaterThan(0);
    expect(body.indexOf('Sooner')).toBeLessThan(body.indexOf('Later'));
    expect(body).toContain('Sooner (+');
    expect(body).toContain('4 h left');
    expect(body).toContain(`https://slack.com/archives/C0SHOP/p${later.threadTs?.replace('.', '')}`);
    expect(posts).toEqual([]);
  });

  it("writes `/whatsapp expiring`'s times in the reader's language and Slack zone, else in TZ", async () => {
    const now = service.clock.now();
    const shop = await account({ name: 'Toko Zona' });
    const c = await createConversation(shop, new Date(now.getTime() - 20 * HOUR), { name: 'Wayan' });
    const closes = c.windowClosesAt ?? now;
    const fallback = (body: string) => body.match(new RegExp(`<!date\\^${closes.getTime() / 1000}\\^[^|]*\\|([^>]*)>`))?.[1];
    const inZone = (zone: string) => new Intl.DateTimeFormat('id-ID', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(closes);

    profile = { locale: 'id-ID', tz: 'Asia/Makassar' };
    const makassar = JSON.stringify((await expiring()).blocks);
    expect(makassar).toContain('*Toko Zona*');
    expect(makassar).toContain('sisa 4 jam');
    expect(fallback(makassar)).toMatch(new RegExp(`^\\d+ \\w+ \\d{4}, ${inZone('Asia/Makassar')} WITA$`));

    profile = { locale: 'id-ID', tz: 'Asia/Jayapura' };
    expect(fallback(JSON.stringify((await expiring()).blocks))).toMatch(new RegExp(`, ${inZone('Asia/Jayapura')} WIT$`));

    // Slack gave no zone (or one Intl does not know): the channels' zone, TZ.
    profile = { locale: 'id-ID', tz: 'Mars/Olympus' };
    expect(fallback(JSON.stringify((await expiring()).blocks))).toMatch(new RegExp(`, ${inZone('Asia/Jakarta')} WIB$`));
  });

  it('adds the open windows to the App Home, closing first', async () => {
    const now = service.clock.now();
    const shop = await account({ name: 'Home Shop', channelId: 'C0HOME' });
    await createConversation(shop, new Date(now.getTime() - 2 * HOUR), { channelId: 'C0HOME', name: 'Gita' });
    await createConversation(shop, new Date(now.getTime() - 10 * HOUR), { channelId: 'C0HOME', name: 'Hadi' });
    const published = new Promise<unknown>((resolve) => {
      slackApi()
        .post('/api/views.publish')
        .reply(200, (_uri, body) => {
          resolve(body);
          return { ok: true };
        });
    });
    const event = JSON.stringify({
      type: 'event_callback',
      team_id: 'T0001',
      api_app_id: 'A0001',
      event_id: 'Ev0001',
      event_time: Math.floor(now.getTime() / 1000),
      event: { type: 'app_home_opened', user: 'U0ADMIN', channel: 'D0001', tab: 'home' },
    });
    const res = await postToSlackEvents(service.url, event, { now, contentType: 'application/json' });
    expect(res.status).toBe(200);
    const body = await published;
    const view = JSON.stringify(typeof body === 'string' ? Object.fromEntries(new URLSearchParams(body)) : body);
    expect(view).toContain('Open 24-hour windows');
    expect(view).toContain('Home Shop');
    expect(view.indexOf('Hadi')).toBeGreaterThan(0);
    expect(view.indexOf('Hadi')).toBeLessThan(view.indexOf('Gita'));
  });

  it('wires the sweep’s alerts into the service’s outbox', async () => {
    const shop = await account();
    const c = await createConversation(shop, service.clock.now());
    service.clock.advance(24 * HOUR - 30 * MINUTE);
    expect(await runSweep(service.deps)).toMatchObject({ swept: true });
    await service.outbox.drain();
    const inThread = posts.filter((p) => p.thread_ts === c.threadTs);
    expect(inThread).toEqual([expect.objectContaining({ channel: 'C0SHOP' })]);
    // The fallback close time is in TZ (Asia/Jakarta) and the channel's language: 03:00Z the next day is 10:00 there.
    expect(inThread[0]?.text).toContain('|10:00 GMT+7>)');
  });

  it('posts one digest per account per day however many instances run the cron, grouped by last replier', async () => {
    await Promise.all([OutboxModel.deleteMany({ kind: 'window.digest' }), DeliveredModel.deleteMany({ _id: /^window-digest:/ })]);
    const shop = await account({ name: 'Digest Shop', channelId: 'C0DIGEST' });
    await account({ name: 'Quiet Shop', channelId: 'C0QUIET' });
    const now = service.clock.now();
    const replied = await createConversation(shop, new Date(now.getTime() - 2 * HOUR), { channelId: 'C0DIGEST', name: 'Dewi' });
    await recordReply(replied._id, new Date(now.getTime() - 3 * HOUR), 'U0AGENT');
    await createConversation(shop, new Date(now.getTime() - HOUR), { channelId: 'C0DIGEST', name: 'Eka' });
    const done = await createConversation(shop, new Date(now.getTime() - HOUR), { channelId: 'C0DIGEST', name: 'Fajar' });
    await recordReply(done._id, now, 'U0AGENT');

    await Promise.all([enqueueDigests(service.deps), enqueueDigests(service.deps)]);
    await service.outbox.drain();
    service.clock.advance(HOUR);
    await enqueueDigests(service.deps);
    await service.outbox.drain();

    const digests = posts.filter((p) => p.channel === 'C0DIGEST');
    expect(digests).toHaveLength(1);
    expect(posts.filter((p) => p.channel === 'C0QUIET')).toEqual([]);
    expect(digests[0]?.text).toBe('Daily digest for Digest Shop: 2 conversations are still waiting for a reply');
    const body = JSON.stringify(digests[0]?.blocks);
    expect(body).not.toContain('Fajar');
    expect(body.indexOf('Nobody has replied yet')).toBeLessThan(body.indexOf('Eka'));
    expect(body.indexOf('Eka')).toBeLessThan(body.indexOf('Last replied by <@U0AGENT>'));
    expect(body.indexOf('Last replied by <@U0AGENT>')).toBeLessThan(body.indexOf('Dewi'));
  });

  it("posts the digest in the account's channel language", async () => {
    const toko = await account({ name: 'Toko Sari', channelId: 'C0TOKO', locale: 'id' });
    await createConversation(toko, new Date(service.clock.now().getTime() - HOUR), { channelId: 'C0TOKO', name: 'Gita' });
    await enqueueDigests(service.deps);
    await service.outbox.drain();
    const digests = posts.filter((p) => p.channel === 'C0TOKO');
    expect(digests).toHaveLength(1);
    expect(digests[0]?.text).toBe('Ringkasan harian Toko Sari: 1 percakapan masih menunggu balasan');
    expect(JSON.stringify(digests[0]?.blocks)).toContain('Belum ada yang membalas');
  });
});
