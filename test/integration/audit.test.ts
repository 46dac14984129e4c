import nock from 'nock';
import { INBOX_ACTIONS, INBOX_VIEWS } from '../../src/bot/views/inbox';
import { AuditModel, ConversationModel, TemplateModel, type AccountDocument } from '../../src/store/models';
import { sendOk, templateCreatedOk } from '../fakes/whatsapp-contract';
import { startTestService, type TestService } from '../helpers/service';
import { settingsState } from './accounts-harness';
import { ADMIN, ADMIN_ID, CHANNEL, PHONE_ID, TEAM, TemplateSlack, WABA_ID, WA_API, createAccount, formState, metadataOf, seedTemplate } from './templates-harness';

/**
 * Every change made from Slack is written to the audit log: who, what, when and
 * in which account. Each state-changing action of each feature is driven here
 * as Slack sends it, and must leave exactly its entry.
 */

const WA_HOST = new URL(WA_API).origin;
const TEMPLATES_PATH = `/v23.0/${WABA_ID}/message_templates`;
const CUSTOMER = '6281234567890';

let service: TestService;
let slack: TemplateSlack;
let account: AccountDocument;
let templateId: string;

beforeAll(async () => {
  service = await startTestService();
  slack = new TemplateSlack(service);
  slack.install();
  account = await createAccount(service);
  const template = await seedTemplate(account);
  templateId = String(template._id);
});

afterAll(async () => {
  await service.stop();
  nock.cleanAll();
});

const listMeta = () => JSON.stringify({ accountId: String(account._id), page: 0 });

/** Runs one action as Slack sends it and returns the audit entries it wrote. */
async function audited(act: () => Promise<unknown>) {
  const before = new Set((await AuditModel.find({}, { _id: 1 }).lean()).map((a) => String(a._id)));
  service.clock.advance(1_000);
  await act();
  await service.slackSettled();
  expect(nock.pendingMocks().filter((m) => m.includes('graph.wa.test'))).toEqual([]);
  return (await AuditModel.find({}).sort({ _id: 1 }).lean()).filter((a) => !before.has(String(a._id)));
}

const seen: string[] = [];

function expectEntry(entries: Awaited<ReturnType<typeof audited>>, action: string, subject: string) {
  expect(entries).toHaveLength(1);
  expect(entries[0]).toMatchObject({ teamId: TEAM, actorId: ADMIN, accountId: String(account._id), action, subject, at: service.clock.now() });
  seen.push(action);
}

describe('template changes', () => {
  it('create: the form, then the preview submitted to WhatsApp', async () => {
    const form = await slack.submit(
      ADMIN,
      'templates.form',
      formState({ name: 'welcome', language: 'en_US', category: 'UTILITY', body: 'Welcome {{1}} to our shop.', examples: 'Budi' }),
      JSON.stringify({ accountId: String(account._id) }),
    );
    const previewMeta = form.json?.view?.private_metadata ?? '';
    expect(metadataOf(form.json?.view ?? {})).toMatchObject({ draftId: expect.any(String) });
    nock(WA_HOST).post(TEMPLATES_PATH).reply(200, templateCreatedOk('555', 'PENDING', 'UTILITY'));
    const entries = await audited(() => slack.submit(ADMIN, 'templates.preview', {}, previewMeta));
    const created = await TemplateModel.findOne({ name: 'welcome' });
    expectEntry(entries, 'template.create', `template:${String(created?._id)}`);
    expect(entries[0]?.after).toMatchObject({ name: 'welcome', status: 'PENDING' });
  });

  it('ON/OFF, both ways', async () => {
    const off = await audited(() => slack.click(ADMIN, 'templates.toggle', `${templateId}:off`, { privateMetadata: listMeta() }));
    expectEntry(off, 'template.disable', `template:${templateId}`);
    expect(off[0]).toMatchObject({ before: { enabled: true }, after: { enabled: false } });
    const on = await audited(() => slack.click(ADMIN, 'templates.toggle', `${templateId}:on`, { privateMetadata: listMeta() }));
    expectEntry(on, 'template.enable', `template:${templateId}`);
  });

  it('refresh from WhatsApp', async () => {
    nock(WA_HOST)
      .get(TEMPLATES_PATH)
      .query(true)
      .reply(200, { data: [{ id: '1689556908129832', name: 'order_ready', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hello {{1}}, your order is ready.' }] }] });
    const entries = await audited(() => slack.click(ADMIN, 'templates.refresh', 'refresh', { privateMetadata: listMeta() }));
    expectEntry(entries, 'template.sync', `account:${String(account._id)}`);
  });

  it('send to a customer', async () => {
    nock(WA_HOST).post(`/v23.0/${PHONE_ID}/messages`).reply(200, sendOk('wamid.AUDIT1', CUSTOMER));
    const state = { values: { tpl_var_body_1: { value: { type: 'plain_text_input', value: 'Budi' } } } };
    const meta = JSON.stringify({ accountId: String(account._id), waId: CUSTOMER, templateId });
    const entries = await audited(() => slack.submit(ADMIN, 'templates.send.submit', state, meta));
    expectEntry(entries, 'template.send', expect.stringMatching(/^conversation:[0-9a-f]{24}$/));
    expect(entries[0]?.after).toMatchObject({ template: 'order_ready', wamid: 'wamid.AUDIT1' });
  });

  it('delete, after the confirmation', async () => {
    nock(WA_HOST).delete(TEMPLATES_PATH).query(true).reply(200, { success: true });
    const meta = JSON.stringify({ templateId, listViewId: 'V0LIST', listPage: 0 });
    const entries = await audited(() => slack.submit(ADMIN, 'templates.delete.confirm', { values: {} }, meta));
    expectEntry(entries, 'template.delete', `template:${templateId}`);
    expect(entries[0]?.before).toMatchObject({ name: 'order_ready', language: 'en_US' });
  });
});

describe('conversation changes', () => {
  it('claim, assign, unassign and status, each with who and the value before and after', async () => {
    // The customer the template went to.
    const conversation = await ConversationModel.findOne({ accountId: account._id });
    const id = String(conversation?._id);
    const subject = `conversation:${id}`;
    const claim = await audited(() => slack.click(ADMIN, INBOX_ACTIONS.claim, id));
    expectEntry(claim, 'conversation.claim', subject);
    const picked = { values: { inbox_assignee: { user: { type: 'users_select', selected_user: ADMIN_ID } } } };
    const assign = await audited(() => slack.submit(ADMIN, INBOX_VIEWS.assign, picked, JSON.stringify({ conversationId: id })));
    expectEntry(assign, 'conversation.assign', subject);
    expect(assign[0]).toMatchObject({ before: { assignee: ADMIN }, after: { assignee: ADMIN_ID } });
    expectEntry(await audited(() => slack.click(ADMIN, INBOX_ACTIONS.unassign, id)), 'conversation.unassign', subject);
    const resolved = await audited(() => slack.click(ADMIN, INBOX_ACTIONS.resolve, id));
    expectEntry(resolved, 'conversation.status', subject);
    expect(resolved[0]).toMatchObject({ before: { status: 'open' }, after: { status: 'resolved' } });
  });
});

describe('account changes', () => {
  it('ON/OFF, settings and disconnect', async () => {
    const subject = `account:${String(account._id)}`;
    expectEntry(await audited(() => slack.click(ADMIN, 'accounts.toggle', String(account._id))), 'account.disable', subject);
    const settings = settingsState({ name: 'Sales Team', enabled: 'on', channelId: CHANNEL });
    expectEntry(await audited(() => slack.submit(ADMIN, 'accounts.settings', settings, JSON.stringify({ accountId: String(account._id) }))), 'account.update', subject);
    const hours = {
      values: Object.fromEntries(
        Object.entries({ sla_time_zone: 'Asia/Jakarta', sla_hours: 'Mon-Fri 08:00-17:00', sla_first: '15', sla_next: '60', sla_warn: '5', sla_away_reply: 'Kami buka lagi besok.' }).map(
          ([block, value]) => [block, { value: { type: 'plain_text_input', value } }],
        ),
      ),
    };
    const sla = await audited(() => slack.submit(ADMIN, 'sla.settings', hours, JSON.stringify({ accountId: String(account._id) })));
    expectEntry(sla, 'account.sla.update', subject);
    expect(sla[0]).toMatchObject({ before: { hours: '', awayReply: null }, after: { timeZone: 'Asia/Jakarta', hours: 'Mon 08:00-17:00\nTue 08:00-17:00\nWed 08:00-17:00\nThu 08:00-17:00\nFri 08:00-17:00' } });
    expectEntry(await audited(() => slack.click(ADMIN, 'accounts.disconnect', String(account._id))), 'account.disconnect', subject);
  });
});

it('leaves an entry for every kind of change (connect is audited in the accounts suite)', () => {
  expect(new Set(seen)).toEqual(
    new Set(['template.create', 'template.disable', 'template.enable', 'template.sync', 'template.send', 'template.delete', 'account.disable', 'account.update', 'account.sla.update', 'account.disconnect',
      'conversation.claim', 'conversation.assign', 'conversation.unassign', 'conversation.status']),
  );
});
