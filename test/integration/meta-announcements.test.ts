import nock from 'nock';
import { ConversationModel, MessageModel, OutboxModel, TemplateModel, UnhandledWebhookModel, type AccountDocument } from '../../src/store/models';
import type { TestService } from '../helpers/service';
import { sendOk } from '../fakes/whatsapp-contract';
import { ADMIN, ADMIN_ID, AGENT, CHANNEL, PHONE_ID, TemplateSlack, WABA_ID, WA_API, outboxFor, seedTemplate, templateSuite, textOf } from './templates-harness';
import { APP_SECRET, postWebhook, textDelivery, webhookExamples } from '../fixtures/conversations';

/**
 * What Meta announces beside messages, through signed webhooks against the real service and
 * database: customers' marketing opt-outs (`user_preferences`), template re-categorisation
 * (`template_category_update`) and quality (`message_template_quality_update`), and fields we do
 * not handle, which are acknowledged and kept.
 */

const CUSTOMER = '6281234567890';
const BSUID = 'ID.1410018717833190';

const suite = templateSuite((service) => ({ appSecretSealed: service.deps.secrets.seal(APP_SECRET) }));
let service: TestService;
let slack: TemplateSlack;
let account: AccountDocument;

beforeAll(() => {
  ({ service, slack, account } = { service: suite.service(), slack: suite.slack(), account: suite.account() });
});

beforeEach(async () => {
  slack.clear();
  await Promise.all([ConversationModel.deleteMany({}), MessageModel.deleteMany({}), OutboxModel.deleteMany({}), TemplateModel.deleteMany({}), UnhandledWebhookModel.deleteMany({})]);
});

/** One change of `field` in Meta's envelope, from this account's WABA. */
function change(field: string, value: unknown): string {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: WABA_ID, time: 1739321024, changes: [{ field, value }] }] });
}

/** Meta's `user_preferences` example, with the customer's BSUID beside the number. */
function preference(value: 'stop' | 'resume', at: Date, customer: { waId?: string; userId?: string } = { waId: CUSTOMER }): string {
  return change('user_preferences', {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_ID },
    contacts: [{ profile: { name: 'Budi' }, ...(customer.waId ? { wa_id: customer.waId } : {}), ...(customer.userId ? { user_id: customer.userId } : {}) }],
    user_preferences: [
      {
        ...(customer.waId ? { wa_id: customer.waId } : {}),
        ...(customer.userId ? { user_id: customer.userId } : {}),
        detail: value === 'stop' ? 'User requested to stop marketing messages' : 'User requested to resume marketing messages',
        category: 'marketing_messages',
        value,
        timestamp: Math.floor(at.getTime() / 1000),
      },
    ],
  });
}

const sendMeta = (templateId: string, waId = CUSTOMER) => JSON.stringify({ accountId: String(account._id), waId, templateId });

async function customerWroteIn(): Promise<void> {
  const res = await postWebhook(service, String(account._id), textDelivery({ wamid: 'wamid.HELLO', from: CUSTOMER, userId: BSUID, name: 'Budi', at: new Date('2026-01-05T01:00:00Z') }));
  expect(res.status).toBe(200);
  await outboxFor(service).drain();
  slack.clear();
}

describe('user_preferences: a customer stops or resumes marketing messages', () => {
  it('records the stop, tells the thread and its root, and refuses a MARKETING template with the reason while a UTILITY one still goes', async () => {
    await customerWroteIn();
    const res = await postWebhook(service, String(account._id), preference('stop', new Date('2026-01-05T02:00:00Z')));
    expect(res.status).toBe(200);
    const conversation = await ConversationModel.findOne({ phone: CUSTOMER });
    expect(conversation).toMatchObject({ marketingPreference: 'stop' });
    expect(conversation?.marketingPreferenceAt?.toISOString()).toBe('2026-01-05T02:00:00.000Z');

    await outboxFor(service).drain();
    const notice = slack.posts().find((p) => String(p.params.text).includes('stopped marketing messages'));
    expect(notice?.params).toMatchObject({ channel: CHANNEL, thread_ts: conversation?.threadTs });
    const root = slack.calls.find((c) => c.method === 'chat.update');
    expect(String(root?.params.blocks)).toContain('Stopped marketing messages');

    const promo = await seedTemplate(account, { name: 'big_sale', category: 'MARKETING', body: 'Sale today!', bodyExamples: [] });
    await slack.submit(AGENT, 'templates.send.submit', { values: {} }, sendMeta(String(promo._id)), 'V0SEND');
    const refused = await slack.waitView('views.update', (v) => textOf(v).includes('stopped marketing messages'));
    expect(textOf(refused.view)).toContain('a MARKETING template cannot be sent to them');
    expect(await MessageModel.countDocuments({ direction: 'outbound' })).toBe(0);

    // Refused in the sender's language too.
    slack.clear();
    await slack.submit(ADMIN_ID, 'templates.send.submit', { values: {} }, sendMeta(String(promo._id)), 'V0SEND');
    const refusedId = await slack.waitView('views.update', (v) => textOf(v).includes('template MARKETING tidak bisa dikirim'));
    expect(textOf(refusedId.view)).toContain('berhenti menerima pesan pemasaran');

    // By the BSUID as well: the refusal is the customer's, whichever identifier the modal holds.
    slack.clear();
    await slack.submit(AGENT, 'templates.send.submit', { values: {} }, sendMeta(String(promo._id), BSUID), 'V0SEND');
    await slack.waitView('views.update', (v) => textOf(v).includes('a MARKETING template cannot be sent'));

    const utility = await seedTemplate(account, { name: 'receipt', remoteId: '2', category: 'UTILITY', body: 'Your receipt', bodyExamples: [] });
    nock(new URL(WA_API).origin).post(`/v23.0/${PHONE_ID}/messages`).reply(200, sendOk('wamid.RECEIPT', CUSTOMER));
    slack.clear();
    await slack.submit(AGENT, 'templates.send.submit', { values: {} }, sendMeta(String(utility._id)), 'V0SEND');
    await slack.waitView('views.update', (v) => textOf(v).includes('Sent to'));
  });

  it('a resume lifts the refusal; an older delivery arriving late does not undo a newer choice', async () => {
    await customerWroteIn();
    await postWebhook(service, String(account._id), preference('stop', new Date('2026-01-05T02:00:00Z')));
    await postWebhook(service, String(account._id), preference('resume', new Date('2026-01-05T02:30:00Z')));
    await postWebhook(service, String(account._id), preference('stop', new Date('2026-01-05T02:10:00Z')));
    expect(await ConversationModel.findOne({ phone: CUSTOMER })).toMatchObject({ marketingPreference: 'resume' });
    await outboxFor(service).drain();
    expect(slack.posts().map((p) => String(p.params.text))).toEqual([
      expect.stringContaining('stopped marketing messages'),
      expect.stringContaining('resumed marketing messages'),
    ]);
  });

  it('is recorded for a customer known only by their BSUID and not yet written to, without opening a thread', async () => {
    const res = await postWebhook(service, String(account._id), preference('stop', new Date('2026-01-05T02:00:00Z'), { userId: BSUID }));
    expect(res.status).toBe(200);
    expect(await ConversationModel.findOne({ waId: BSUID })).toMatchObject({ marketingPreference: 'stop' });
    await outboxFor(service).drain();
    expect(slack.posts()).toHaveLength(0);
  });

  it('refuses a delivery naming no customer with a 400 and a reason', async () => {
    const body = change('user_preferences', { user_preferences: [{ category: 'marketing_messages', value: 'stop', timestamp: 1739321024 }] });
    const res = await postWebhook(service, String(account._id), body);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('neither a phone number nor a business-scoped user ID');
  });
});

describe('template_category_update and message_template_quality_update', () => {
  const categoryDone = (id: string) =>
    change('template_category_update', {
      message_template_id: Number(id),
      message_template_name: 'order_ready',
      message_template_language: 'en_US',
      previous_category: 'UTILITY',
      new_category: 'MARKETING',
    });

  it('a done re-categorisation updates the list and DMs the creator once, however often Meta redelivers it', async () => {
    const template = await seedTemplate(account, { createdBy: ADMIN });
    const body = categoryDone(String(template.remoteId));
    expect((await postWebhook(service, String(account._id), body)).status).toBe(200);
    expect((await postWebhook(service, String(account._id), body)).status).toBe(200);
    expect(await TemplateModel.findById(template._id)).toMatchObject({ category: 'MARKETING' });

    await outboxFor(service).drain();
    const dms = slack.posts().filter((p) => p.params.channel === ADMIN);
    expect(dms).toHaveLength(1);
    expect(String(dms[0]?.params.text)).toContain('re-categorised your template *order_ready* (en_US) of *Sales* from UTILITY to *MARKETING*');
  });

  it('an impending one keeps the category, shows what it becomes and when, and DMs the creator in their language', async () => {
    const template = await seedTemplate(account, { createdBy: ADMIN_ID });
    const body = change('template_category_update', {
      message_template_id: Number(template.remoteId),
      message_template_name: 'order_ready',
      message_template_language: 'en_US',
      correct_category: 'MARKETING',
      new_category: 'UTILITY',
      category_update_timestamp: 1767657600,
    });
    expect((await postWebhook(service, String(account._id), body)).status).toBe(200);
    const stored = await TemplateModel.findById(template._id);
    expect(stored).toMatchObject({ category: 'UTILITY', pendingCategory: 'MARKETING' });
    expect(stored?.pendingCategoryAt?.toISOString()).toBe('2026-01-06T00:00:00.000Z');

    await outboxFor(service).drain();
    const dm = slack.posts().find((p) => p.params.channel === ADMIN_ID);
    expect(String(dm?.params.text)).toContain('akan mengubah kategori template Anda *order_ready* (en_US) untuk *Sales* dari UTILITY menjadi *MARKETING* pada <!date^1767657600^');

    slack.clear();
    await slack.click(ADMIN, 'templates.open', String(account._id));
    const list = await slack.waitView('views.open');
    expect(textOf(list.view)).toContain('Becomes MARKETING on <!date^1767657600^');
  });

  it('a quality change is shown in the list and DMed to the creator', async () => {
    const template = await seedTemplate(account, { createdBy: ADMIN });
    const body = change('message_template_quality_update', {
      previous_quality_score: 'GREEN',
      new_quality_score: 'RED',
      message_template_id: Number(template.remoteId),
      message_template_name: 'order_ready',
      message_template_language: 'en_US',
    });
    expect((await postWebhook(service, String(account._id), body)).status).toBe(200);
    expect(await TemplateModel.findById(template._id)).toMatchObject({ quality: 'RED' });
    await outboxFor(service).drain();
    const dm = slack.posts().find((p) => p.params.channel === ADMIN);
    expect(String(dm?.params.text)).toContain('The quality of your template *order_ready* (en_US) of *Sales* is now *RED* (was GREEN).');

    slack.clear();
    await slack.click(ADMIN, 'templates.open', String(account._id));
    expect(textOf((await slack.waitView('views.open')).view)).toContain('Quality: RED');
  });

  it('an update for a template of another WABA changes nothing', async () => {
    const template = await seedTemplate(account, { createdBy: ADMIN });
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: '999', changes: [{ field: 'template_category_update', value: JSON.parse(categoryDone(String(template.remoteId))).entry[0].changes[0].value }] }],
    });
    expect((await postWebhook(service, String(account._id), body)).status).toBe(200);
    expect(await TemplateModel.findById(template._id)).toMatchObject({ category: 'UTILITY' });
  });
});

describe('fields we do not handle', () => {
  it('are acknowledged with 200, kept once for an operator, and logged once per field name', async () => {
    const examples = webhookExamples();
    const group = JSON.stringify(examples['Group Create Message']);
    for (let n = 0; n < 2; n++) expect((await postWebhook(service, String(account._id), group)).status).toBe(200);
    const other = change('account_alerts_test_field', { entity_type: 'WABA', alert_info: { alert_type: 'X' } });
    expect((await postWebhook(service, String(account._id), other)).status).toBe(200);

    const kept = await UnhandledWebhookModel.find({}).sort({ field: 1 }).lean();
    expect(kept.map((k) => k.field)).toEqual(['account_alerts_test_field', 'group_lifecycle_update']);
    expect(String(kept[1]?.accountId)).toBe(String(account._id));
    expect(JSON.parse(kept[1]?.value ?? '{}')).toMatchObject({ groups: [{ type: 'group_create' }] });
    const logged = service.logLines.filter((l) => l.includes('webhook field not handled') && l.includes('group_lifecycle_update'));
    expect(logged).toHaveLength(1);
    // Nothing reaches Slack or the conversations.
    expect(await ConversationModel.countDocuments()).toBe(0);
    await outboxFor(service).drain();
    expect(slack.posts()).toHaveLength(0);
  });
});
