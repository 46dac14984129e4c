import nock from 'nock';
import { templateSyncJob } from '../../src/jobs/template-sync';
import { OutboxModel, TemplateModel, type AccountDocument } from '../../src/store/models';
import { applyTemplateStatusUpdate } from '../../src/templates';
import { templateJson, templatesPage } from '../fakes/whatsapp-contract';
import { startTestService, type TestService } from '../helpers/service';
import { ADMIN, ADMIN_ID, TemplateSlack, WABA_ID, WA_API, createAccount, outboxFor, textOf } from './templates-harness';

const WA_HOST = new URL(WA_API).origin;
const LIST_PATH = `/v23.0/${WABA_ID}/message_templates`;

let service: TestService;
let slack: TemplateSlack;
let account: AccountDocument;

beforeAll(async () => {
  service = await startTestService();
  slack = new TemplateSlack(service);
  slack.install();
  account = await createAccount(service);
});

afterAll(async () => {
  await service.stop();
  nock.cleanAll();
});

beforeEach(async () => {
  slack.clear();
  await TemplateModel.deleteMany({});
  await OutboxModel.deleteMany({});
});

function seed(overrides: Record<string, unknown>) {
  return TemplateModel.create({
    accountId: account._id,
    name: 'order_ready',
    language: 'en_US',
    category: 'UTILITY',
    status: 'PENDING',
    body: 'Hello {{1}}, your order is ready.',
    bodyExamples: ['Budi'],
    ...overrides,
  });
}

/** Two pages: the first points to the second with paging.next, as Meta does. */
function nockTwoPages() {
  const next = `${WA_HOST}${LIST_PATH}?limit=100&after=MjQZD`;
  const first = nock(WA_HOST)
    .get(LIST_PATH)
    .query((q) => q.limit === '100' && q.after === undefined && String(q.fields).includes('components'))
    .reply(
      200,
      templatesPage(
        [
          templateJson('order_ready', { id: '111', status: 'APPROVED' }),
          templateJson('welcome', {
            id: '222',
            language: 'id',
            category: 'MARKETING',
            components: [
              { type: 'HEADER', format: 'TEXT', text: 'Halo {{1}}', example: { header_text: ['Budi'] } },
              { type: 'BODY', text: 'Selamat datang di {{1}}, kak.', example: { body_text: [['Toko']] } },
              { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Buka', url: 'https://toko.example' }] },
            ],
          }),
        ],
        next,
      ),
    );
  const second = nock(WA_HOST)
    .get(LIST_PATH)
    .query((q) => q.after === 'MjQZD')
    .reply(200, templatesPage([templateJson('payment_due', { id: '333', status: 'REJECTED', rejected_reason: 'INVALID_FORMAT' })]));
  return { first, second };
}

describe('status sync', () => {
  it('Refresh walks every page, imports, updates statuses, drops what WhatsApp deleted, and tells the creator', async () => {
    await seed({ remoteId: '111', createdBy: ADMIN, enabled: false });
    await seed({ name: 'gone_template', remoteId: '999', status: 'APPROVED' });
    const pages = nockTwoPages();

    await slack.click(ADMIN, 'templates.refresh', String(account._id), {
      id: 'V0LIST',
      privateMetadata: JSON.stringify({ accountId: String(account._id), page: 0 }),
    });
    const list = await slack.waitView('views.update');
    expect(pages.first.isDone() && pages.second.isDone()).toBe(true);
    expect(textOf(list.view)).toContain('Refreshed from WhatsApp: 2 imported, 1 changed status, 1 removed.');

    const stored = await TemplateModel.find({ accountId: account._id }).sort({ name: 1 });
    expect(stored.map((t) => [t.name, t.status])).toEqual([
      ['order_ready', 'APPROVED'],
      ['payment_due', 'REJECTED'],
      ['welcome', 'APPROVED'],
    ]);
    // The local switch and the creator survive a sync.
    expect(stored[0]).toMatchObject({ enabled: false, createdBy: ADMIN });
    expect(stored[1]?.rejectedReason).toBe('INVALID_FORMAT');
    expect(stored[2]).toMatchObject({ header: 'Halo {{1}}', headerExample: 'Budi', body: 'Selamat datang di {{1}}, kak.', category: 'MARKETING' });
    expect(stored[2]?.buttons).toEqual([{ type: 'URL', text: 'Buka', url: 'https://toko.example' }]);

    await outboxFor(service).drain();
    const posts = slack.posts();
    expect(posts).toHaveLength(1);
    expect(posts[0]?.params.channel).toBe(ADMIN);
    expect(String(posts[0]?.params.text)).toContain('WhatsApp approved your template *order_ready* (en_US) of *Sales*');
  });

  it('the cron job syncs every account the same way and survives one that fails', async () => {
    const broken = await createAccount(service, { name: 'Broken', nameKey: 'broken', wabaId: '777' });
    nock(WA_HOST).get(`/v23.0/777/message_templates`).query(true).reply(500, { error: { message: 'down', code: 2 } });
    const pages = nockTwoPages();
    const job = templateSyncJob(service.deps);
    expect(job.schedule).toBe(service.deps.config.templateSyncCron);
    await job.run();
    expect(pages.first.isDone() && pages.second.isDone()).toBe(true);
    expect(await TemplateModel.countDocuments({ accountId: account._id })).toBe(3);
    expect(await TemplateModel.countDocuments({ accountId: broken._id })).toBe(0);
    await broken.deleteOne();
  });

  it('a failed refresh says why and changes nothing', async () => {
    await seed({ remoteId: '111' });
    nock(WA_HOST).get(LIST_PATH).query(true).reply(401, { error: { message: 'Invalid OAuth access token', code: 190, type: 'OAuthException' } });
    await slack.click(ADMIN, 'templates.refresh', String(account._id), {
      id: 'V0LIST',
      privateMetadata: JSON.stringify({ accountId: String(account._id), page: 0 }),
    });
    const list = await slack.waitView('views.update');
    expect(textOf(list.view)).toContain('Could not refresh from WhatsApp: Invalid OAuth access token (190)');
    expect(await TemplateModel.countDocuments()).toBe(1);
  });
});

describe('applyTemplateStatusUpdate (the message_template_status_update webhook)', () => {
  const update = (event: string, reason?: string) => ({
    wabaId: WABA_ID,
    templateId: '111',
    templateName: 'order_ready',
    language: 'en_US',
    event,
    ...(reason ? { reason } : {}),
  });

  it('marks the template rejected with its reason and tells the creator once, in their language', async () => {
    await seed({ remoteId: '111', createdBy: ADMIN_ID });
    await applyTemplateStatusUpdate(service.deps, String(account._id), update('REJECTED', 'INVALID_FORMAT'));
    // A redelivered webhook changes nothing and notifies nobody again.
    await applyTemplateStatusUpdate(service.deps, String(account._id), update('REJECTED', 'INVALID_FORMAT'));
    const stored = await TemplateModel.findOne({ remoteId: '111' });
    expect(stored).toMatchObject({ status: 'REJECTED', rejectedReason: 'INVALID_FORMAT' });

    await outboxFor(service).drain();
    const posts = slack.posts();
    expect(posts).toHaveLength(1);
    expect(posts[0]?.params.channel).toBe(ADMIN_ID);
    expect(String(posts[0]?.params.text)).toBe(
      ':x: WhatsApp menolak template Anda *order_ready* (en_US) untuk *Sales*. Alasan: INVALID_FORMAT.',
    );
  });

  it('finds the template by name and language when the id is not known yet, and approval clears the reason', async () => {
    await seed({ createdBy: ADMIN, status: 'REJECTED', rejectedReason: 'INVALID_FORMAT' });
    await applyTemplateStatusUpdate(service.deps, String(account._id), update('APPROVED', 'NONE'));
    const stored = await TemplateModel.findOne({ name: 'order_ready' });
    expect(stored?.status).toBe('APPROVED');
    expect(stored?.rejectedReason).toBeUndefined();
    expect(stored?.remoteId).toBe('111');
    await outboxFor(service).drain();
    expect(String(slack.posts()[0]?.params.text)).toContain('WhatsApp approved your template *order_ready*');
  });

  it('pauses without a notice, ignores FLAGGED, reinstates to APPROVED and forgets DELETED templates', async () => {
    await seed({ remoteId: '111', createdBy: ADMIN, status: 'APPROVED' });
    const accountId = String(account._id);
    await applyTemplateStatusUpdate(service.deps, accountId, update('FLAGGED'));
    expect((await TemplateModel.findOne({ remoteId: '111' }))?.status).toBe('APPROVED');
    await applyTemplateStatusUpdate(service.deps, accountId, update('PAUSED'));
    expect((await TemplateModel.findOne({ remoteId: '111' }))?.status).toBe('PAUSED');
    await applyTemplateStatusUpdate(service.deps, accountId, update('REINSTATED'));
    expect((await TemplateModel.findOne({ remoteId: '111' }))?.status).toBe('APPROVED');
    expect(await OutboxModel.countDocuments()).toBe(1); // only the return to APPROVED
    await applyTemplateStatusUpdate(service.deps, accountId, update('DELETED'));
    expect(await TemplateModel.countDocuments()).toBe(0);
  });

  it('ignores updates for another WhatsApp Business Account and for unknown accounts', async () => {
    await seed({ remoteId: '111', createdBy: ADMIN });
    await applyTemplateStatusUpdate(service.deps, String(account._id), { ...update('APPROVED'), wabaId: '555' });
    await applyTemplateStatusUpdate(service.deps, '0123456789abcdef01234567', update('APPROVED'));
    expect((await TemplateModel.findOne({ remoteId: '111' }))?.status).toBe('PENDING');
    expect(await OutboxModel.countDocuments()).toBe(0);
  });
});
