/**
 * The cron jobs as the service wires them (startService), ticked on its injectable clock: the
 * window sweep at its schedule, the template sync, the digest at its hour in TZ, and the removal of
 * delivered keys past their margin.
 */
import nock from 'nock';
import { DeliveredModel, TemplateModel, type AccountDocument } from '../../src/store/models';
import { templateJson, templatesPage } from '../fakes/whatsapp-contract';
import { CHANNEL, FakeSlack, GRAPH_API, createAccount, clearConversations, postWebhook, textDelivery } from '../fixtures/conversations';
import { startTestService, TestClock, type TestService } from '../helpers/service';

const WABA_ID = '419561257915477';

describe('the cron jobs, wired as in production', () => {
  const slack = new FakeSlack();
  let service: TestService;
  let account: AccountDocument;

  beforeEach(async () => {
    nock.cleanAll();
    slack.reset();
    slack.install();
    // 03:00 UTC is 10:00 in Jakarta.
    service = await startTestService({ TZ: 'Asia/Jakarta' }, { clock: new TestClock(new Date('2026-01-05T03:00:00Z')), jobs: true });
    await clearConversations();
    await TemplateModel.deleteMany({});
    account = await createAccount(service);
  });
  afterEach(async () => {
    await service.stop();
  });

  /** Moves the service clock to `at` and lets the jobs that came due run, and what they queued be delivered. */
  async function at(iso: string): Promise<void> {
    service.clock.set(new Date(iso));
    await service.jobs?.tick();
    await service.outbox.drain();
  }

  /** A customer writes at `iso`: their 24-hour window opens. */
  async function customerWrites(iso: string): Promise<void> {
    service.clock.set(new Date(iso));
    expect((await postWebhook(service, String(account._id), textDelivery({ wamid: `wamid.${iso}`, at: service.clock.now() }))).status).toBe(200);
    await service.outbox.drain();
    slack.reset();
    slack.install();
  }

  it('runs the window sweep every minute: the two-hour warning goes at its minute, not before', async () => {
    await customerWrites('2026-01-05T04:00:00Z');
    // Jumping there also passes 08:00 in Jakarta: that day's digest went too, and no warning yet.
    await at('2026-01-06T01:59:00Z');
    expect(slack.posts('closes in')).toEqual([]);
    await at('2026-01-06T02:00:00Z');
    const warnings = slack.posts('closes in');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ channel: CHANNEL });
    expect(String(warnings[0]?.text)).toContain('closes in *2 h*');
  });

  it('posts the digest at 08:00 in TZ (01:00 UTC in Jakarta), once that day', async () => {
    await customerWrites('2026-01-05T20:00:00Z');
    await at('2026-01-06T00:59:00Z');
    expect(slack.posts('Daily digest')).toEqual([]);
    await at('2026-01-06T01:00:00Z');
    expect(slack.posts('Daily digest')).toHaveLength(1);
    await at('2026-01-06T01:01:00Z');
    expect(slack.posts('Daily digest')).toHaveLength(1);
  });

  it('removes delivered keys older than 30 days at 03:23 in TZ (20:23 UTC in Jakarta), and keeps younger ones', async () => {
    await customerWrites('2026-01-05T04:00:00Z');
    const ids = (await DeliveredModel.find({}, { _id: 1 }).lean()).map((t) => t._id);
    expect(ids.length).toBeGreaterThan(0);
    const left = () => DeliveredModel.countDocuments({ _id: { $in: ids } });
    // The run of 2026-02-04 03:23 in Jakarta: the keys are 29 days and 16 hours old.
    await at('2026-02-03T20:24:00Z');
    expect(await left()).toBe(ids.length);
    await at('2026-02-04T20:22:00Z');
    expect(await left()).toBe(ids.length);
    await at('2026-02-04T20:23:00Z');
    expect(await left()).toBe(0);
  });

  it('syncs the templates every 15 minutes', async () => {
    const list = () => nock(GRAPH_API).get(`/${WABA_ID}/message_templates`).query(true).reply(200, templatesPage([templateJson('order_ready')]));
    const scope = list();
    await at('2026-01-05T03:14:00Z');
    expect(scope.isDone()).toBe(false);
    await at('2026-01-05T03:15:00Z');
    expect(scope.isDone()).toBe(true);
    expect((await TemplateModel.find({ accountId: account._id }).lean()).map((t) => [t.name, t.status])).toEqual([['order_ready', 'APPROVED']]);
    // A failing sync is logged and tried again at the next quarter.
    nock(GRAPH_API).get(`/${WABA_ID}/message_templates`).query(true).reply(500, { error: { message: 'down', code: 2 } });
    await at('2026-01-05T03:30:00Z');
    expect(service.logLines.some((l) => l.includes('template sync failed'))).toBe(true);
    const again = list();
    await at('2026-01-05T03:45:00Z');
    expect(again.isDone()).toBe(true);
  });
});
