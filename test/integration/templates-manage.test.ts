import nock from 'nock';
import { TemplateModel, type AccountDocument } from '../../src/store/models';
import type { TemplateFormValues } from '../../src/templates/form';
import { expectValidCreateTemplateBody, graphError, templateCreatedOk } from '../fakes/whatsapp-contract';
import { startTestService, type TestService } from '../helpers/service';
import {
  ADMIN,
  ADMIN_ID,
  AGENT,
  TemplateSlack,
  WABA_ID,
  WA_API,
  createAccount,
  formState,
  metadataOf,
  seedTemplate as seedTemplateOf,
  textOf,
} from './templates-harness';

const WA_HOST = new URL(WA_API).origin;
const TEMPLATES_PATH = `/v23.0/${WABA_ID}/message_templates`;

const VALID: TemplateFormValues = {
  name: 'order_ready',
  language: 'en_US',
  category: 'UTILITY',
  header: 'Order {{1}}',
  headerExample: '#123',
  body: 'Hello {{1}}, your order {{2}} is ready.',
  footer: 'Reply STOP to opt out',
  buttons: 'quick_reply | Thanks\nurl | Track | https://example.com/track\nphone | Call us | +6281234567890',
  examples: 'Budi\n#123',
};

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
});

afterEach(() => {
  // Every WhatsApp call a test prepared must have happened.
  const pending = nock.pendingMocks().filter((m) => m.includes('graph.wa.test'));
  if (pending.length > 0) {
    // Leftovers would answer the next test's calls.
    nock.cleanAll();
    slack.install();
  }
  expect(pending).toEqual([]);
});

const formMeta = () => JSON.stringify({ accountId: String(account._id) });

function submitForm(values: Partial<TemplateFormValues>, userId = ADMIN) {
  return slack.submit(userId, 'templates.form', formState({ ...VALID, ...values }), formMeta());
}

const seedTemplate = (overrides: Record<string, unknown> = {}) => seedTemplateOf(account, overrides);

describe('the template form: every rule on its field before any API call', () => {
  const long = (n: number) => 'x'.repeat(n);
  // [rule, failing values, block, text] and the passing boundary of the same rule.
  const failing: Array<[string, Partial<TemplateFormValues>, string, RegExp]> = [
    ['name characters', { name: 'Order-Ready' }, 'tpl_name', /lowercase letters, digits and underscores/],
    ['name length', { name: 'a'.repeat(513) }, 'tpl_name', /At most 512 characters \(this has 513\)/],
    ['language code', { language: 'english' }, 'tpl_language', /language code/],
    ['category chosen', { category: '' }, 'tpl_category', /required/],
    ['body length', { body: `Hi {{1}} ${long(1020)}`, examples: 'Budi' }, 'tpl_body', /At most 1024 characters/],
    ['header length', { header: long(61), headerExample: '' }, 'tpl_header', /At most 60 characters \(this has 61\)/],
    ['footer length', { footer: long(61) }, 'tpl_footer', /At most 60 characters \(this has 61\)/],
    ['variables in order', { body: 'Hi {{1}}, order {{3}} is ready.' }, 'tpl_body', /expected \{\{2\}\}, found \{\{3\}\}/],
    ['no variable at the start', { body: '{{1}}, your order {{2}} is ready.' }, 'tpl_body', /may not start with a variable/],
    ['no variable at the end', { body: 'Hello {{1}}, your order is {{2}}' }, 'tpl_body', /may not end with a variable/],
    ['no adjacent variables', { body: 'Hello {{1}} {{2}} is ready.' }, 'tpl_body', /side by side/],
    ['an example per body variable', { examples: 'Budi' }, 'tpl_examples', /example for \{\{2\}\}/],
    ['an example for the header variable', { headerExample: '' }, 'tpl_header_example', /header variable/],
    ['at most 10 buttons', { buttons: Array.from({ length: 11 }, (_, i) => `quick_reply | B${i}`).join('\n') }, 'tpl_buttons', /At most 10 buttons/],
    ['URL buttons need a URL', { buttons: 'url | Track | example dot com' }, 'tpl_buttons', /Button 1: give a full http\(s\) URL/],
    ['phone buttons need E.164', { buttons: 'quick_reply | Ok\nphone | Call | 0812 3456' }, 'tpl_buttons', /Button 2: .*E\.164/],
    ['button lines are readable', { buttons: 'Call us now' }, 'tpl_buttons', /Line 1 is not a button/],
  ];

  it.each(failing)('%s: a failing value is marked on its field', async (_rule, values, block, text) => {
    const res = await submitForm(values);
    expect(res.status).toBe(200);
    expect(res.json?.response_action).toBe('errors');
    expect(res.json?.errors?.[block]).toMatch(text);
    expect(await TemplateModel.countDocuments()).toBe(0);
  });

  const passing: Array<[string, Partial<TemplateFormValues>]> = [
    ['name characters and length 512', { name: 'a1_'.repeat(170) + 'ab' }],
    ['language code with region, and without', { language: 'id' }],
    ['body of exactly 1024 characters', { body: `Hi {{1}} and {{2}} ${long(1024 - 19)}`, examples: 'Budi\n1' }],
    ['header and footer of exactly 60', { header: long(60), headerExample: '', footer: long(60) }],
    ['no variables and no examples', { body: 'Your order is ready.', examples: '', header: '', headerExample: '' }],
    ['10 buttons, URL and E.164 phone', { buttons: [...Array.from({ length: 8 }, (_, i) => `quick_reply | B${i}`), 'url | Go | https://example.com/a?b=1', 'phone | Call | +6281234567890'].join('\n') }],
  ];

  it.each(passing)('%s: passes to the preview', async (_rule, values) => {
    const res = await submitForm(values);
    expect(res.json?.errors).toBeUndefined();
    expect(res.json?.response_action).toBe('update');
    expect(res.json?.view?.callback_id).toBe('templates.preview');
  });

  it('checks name + language uniqueness per account, not across languages', async () => {
    await seedTemplate();
    const same = await submitForm({});
    expect(same.json?.errors?.tpl_name).toMatch(/"order_ready" in en_US already exists/);
    const otherLanguage = await submitForm({ language: 'id' });
    expect(otherLanguage.json?.response_action).toBe('update');
  });

  it('puts several problems on their fields at once, in the user\'s language (Indonesian)', async () => {
    const res = await submitForm({ name: 'Pesanan Siap', footer: 'Halo {{1}}', examples: 'Budi' }, ADMIN_ID);
    expect(res.json?.errors).toEqual({
      tpl_name: 'Gunakan hanya huruf kecil, angka, dan garis bawah.',
      tpl_footer: 'Footer tidak boleh berisi variabel.',
      tpl_examples: 'Beri contoh untuk {{2}} (baris 2).',
    });
  });

  it('refuses a non-admin who submits the form', async () => {
    const res = await submitForm({}, AGENT);
    expect(res.json?.response_action).toBe('update');
    expect(textOf(res.json?.view)).toMatch(/Only workspace admins/);
  });
});

describe('Add HSM Template: form → Next → preview → Back → Submit', () => {
  it('previews with the examples, goes back filled in, and creates the template on WhatsApp as PENDING', async () => {
    // Add opens the form for admins.
    await slack.click(ADMIN, 'templates.add', String(account._id), { privateMetadata: JSON.stringify({ accountId: String(account._id), page: 0 }) });
    const form = await slack.waitView('views.push');
    expect(form.view.callback_id).toBe('templates.form');

    const next = await submitForm({});
    expect(next.json?.response_action).toBe('update');
    const preview = next.json?.view;
    expect(preview?.callback_id).toBe('templates.preview');
    expect(textOf(preview)).toContain('Hello Budi, your order #123 is ready.');
    expect(textOf(preview)).toContain('*Order #123*');
    expect(textOf(preview)).toContain('[ Track ]');
    const previewMeta = preview?.private_metadata ?? '';

    await slack.click(ADMIN, 'templates.preview.back', String(metadataOf(preview ?? {}).draftId), { id: 'V0FLOW', privateMetadata: previewMeta });
    const back = await slack.waitView('views.update', (v) => v.callback_id === 'templates.form');
    expect(back.viewId).toBe('V0FLOW');
    const body = back.view.blocks?.find((b) => b.block_id === 'tpl_body');
    expect(JSON.stringify(body)).toContain('"initial_value":"Hello {{1}}, your order {{2}} is ready."');
    expect(textOf(back.view)).toContain('url | Track | https://example.com/track');

    let sent: unknown;
    nock(WA_HOST)
      .post(TEMPLATES_PATH, (b: unknown) => {
        sent = expectValidCreateTemplateBody(b);
        return true;
      })
      .reply(200, templateCreatedOk('1689556908129832', 'PENDING', 'UTILITY'));
    slack.clear();
    const submit = await slack.submit(ADMIN, 'templates.preview', {}, previewMeta, 'V0FLOW');
    expect(submit.json?.response_action).toBe('update');
    expect(textOf(submit.json?.view)).toMatch(/Submitting to WhatsApp/);

    const done = await slack.waitView('views.update');
    expect(done.viewId).toBe('V0FLOW');
    expect(textOf(done.view)).toMatch(/order_ready\* was submitted to WhatsApp\. Status: \*PENDING/);
    expect(sent).toMatchObject({
      name: 'order_ready',
      language: 'en_US',
      category: 'UTILITY',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', example: { header_text: ['#123'] } },
        { type: 'BODY', text: 'Hello {{1}}, your order {{2}} is ready.', example: { body_text: [['Budi', '#123']] } },
        { type: 'FOOTER', text: 'Reply STOP to opt out' },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'QUICK_REPLY', text: 'Thanks' },
            { type: 'URL', text: 'Track', url: 'https://example.com/track' },
            { type: 'PHONE_NUMBER', text: 'Call us', phone_number: '+6281234567890' },
          ],
        },
      ],
    });
    const stored = await TemplateModel.findOne({ name: 'order_ready' });
    expect(stored).toMatchObject({ status: 'PENDING', remoteId: '1689556908129832', createdBy: ADMIN, enabled: true });
  });

  it('shows WhatsApp\'s rejection on the form with its message and code, and stores nothing', async () => {
    const next = await submitForm({ name: 'order_again' });
    const previewMeta = next.json?.view?.private_metadata ?? '';
    nock(WA_HOST)
      .post(TEMPLATES_PATH)
      .reply(
        400,
        graphError(100, 'Invalid parameter', {
          subcode: 2388024,
          userTitle: 'Message template already exists',
          userMsg: 'There is already English (US) content for this template.',
        }),
      );
    const submit = await slack.submit(ADMIN, 'templates.preview', {}, previewMeta, 'V0REJ');
    expect(submit.json?.response_action).toBe('update');
    const shown = await slack.waitView('views.update', (v) => v.callback_id === 'templates.form');
    expect(shown.viewId).toBe('V0REJ');
    expect(textOf(shown.view)).toContain(
      'WhatsApp refused the template: Message template already exists: There is already English (US) content for this template. (code 100/2388024)',
    );
    // The form comes back filled in, ready to correct.
    expect(textOf(shown.view)).toContain('"initial_value":"order_again"');
    expect(await TemplateModel.countDocuments({ name: 'order_again' })).toBe(0);
  });

  it('refuses a non-admin at Add and at Submit, without calling WhatsApp', async () => {
    await slack.click(AGENT, 'templates.add', String(account._id), { privateMetadata: '' });
    const refusal = await slack.waitView('views.push');
    expect(textOf(refusal.view)).toMatch(/Only workspace admins/);

    const next = await submitForm({ name: 'agent_try' });
    expect(next.json?.response_action).toBe('update'); // the non-admin check comes first
    const submit = await slack.submit(AGENT, 'templates.preview', {}, JSON.stringify({ accountId: String(account._id), draftId: '0123456789abcdef01234567' }));
    expect(textOf(submit.json?.view)).toMatch(/Only workspace admins/);
  });

  it('says clearly, in the list and the form, that a BSP account without the template endpoints manages templates in its console', async () => {
    const bsp = await createAccount(service, { name: 'Gateway', nameKey: 'gateway', kind: 'bsp', apiUrl: 'https://waba-v2.360dialog.test', apiKeyHeader: 'D360-API-KEY', phoneNumberId: undefined, wabaId: undefined });
    await slack.click(ADMIN, 'templates.open', String(bsp._id));
    const list = await slack.waitView('views.open');
    expect(textOf(list.view)).toContain('This BSP account has no WhatsApp Business Account ID, so wadesk cannot list or manage its templates');
    await slack.click(ADMIN, 'templates.add', String(bsp._id), { privateMetadata: '' });
    const shown = await slack.waitView('views.push');
    expect(textOf(shown.view)).toContain('create them in your provider console');
  });

  it('says that a retired On-Premises account sends nothing until moved', async () => {
    const onprem = await createAccount(service, { name: 'Old', nameKey: 'old', kind: 'onprem', apiUrl: 'https://waba.360dialog.io', phoneNumberId: undefined, wabaId: undefined });
    await slack.click(ADMIN, 'templates.add', String(onprem._id), { privateMetadata: '' });
    const shown = await slack.waitView('views.push');
    expect(textOf(shown.view)).toContain('Meta retired on 2025-10-23');
  });
});

describe('the template list: ON/OFF and Delete', () => {
  const listMeta = () => JSON.stringify({ accountId: String(account._id), page: 0 });

  it('opens from the account\'s button with status, switch and body preview', async () => {
    await seedTemplate({ status: 'REJECTED', rejectedReason: 'INVALID_FORMAT' });
    await slack.click(ADMIN, 'templates.open', String(account._id));
    const list = await slack.waitView('views.open');
    expect(list.view.callback_id).toBe('templates.list');
    const text = textOf(list.view);
    expect(text).toContain('*order_ready* · en_US · Utility');
    expect(text).toContain('Rejected · ON');
    expect(text).toContain('Reason: INVALID_FORMAT');
    expect(text).toContain('> Hello {{1}}, your order is ready.');
  });

  it('pages when there are more than ten templates', async () => {
    for (let i = 0; i < 12; i++) await seedTemplate({ name: `tpl_${String(i).padStart(2, '0')}`, remoteId: String(i) });
    await slack.click(ADMIN, 'templates.page.next', '1', { id: 'V0LIST', privateMetadata: listMeta() });
    const page = await slack.waitView('views.update');
    expect(textOf(page.view)).toContain('Templates 11–12 of 12');
    expect(textOf(page.view)).toContain('tpl_11');
    expect(textOf(page.view)).not.toContain('tpl_00');
    expect(metadataOf(page.view)).toEqual({ accountId: String(account._id), page: 1 });
  });

  it('switches a template OFF for admins and confirms "Successfully updated!"', async () => {
    const template = await seedTemplate();
    await slack.click(ADMIN, 'templates.toggle', `${String(template._id)}:off`, { id: 'V0LIST', privateMetadata: listMeta() });
    const updated = await slack.waitView('views.update');
    expect(updated.viewId).toBe('V0LIST');
    expect(textOf(updated.view)).toContain('Successfully updated!');
    expect(textOf(updated.view)).toContain('Approved · OFF');
    expect((await TemplateModel.findById(template._id))?.enabled).toBe(false);
  });

  it('refuses the switch to a non-admin and changes nothing', async () => {
    const template = await seedTemplate();
    await slack.click(AGENT, 'templates.toggle', `${String(template._id)}:off`, { id: 'V0LIST', privateMetadata: listMeta() });
    const updated = await slack.waitView('views.update');
    expect(textOf(updated.view)).toMatch(/Only workspace admins/);
    expect((await TemplateModel.findById(template._id))?.enabled).toBe(true);
  });

  it('asks for confirmation, then deletes on WhatsApp by name and hsm_id and here', async () => {
    const template = await seedTemplate();
    await slack.click(ADMIN, 'templates.delete', String(template._id), { id: 'V0LIST', privateMetadata: listMeta() });
    const confirm = await slack.waitView('views.push');
    expect(confirm.view.callback_id).toBe('templates.delete.confirm');
    expect(textOf(confirm.view)).toContain('Delete *order_ready* (en_US)');
    // Nothing is deleted until confirmed.
    expect(await TemplateModel.countDocuments()).toBe(1);

    nock(WA_HOST).delete(TEMPLATES_PATH).query({ name: 'order_ready', hsm_id: '1689556908129832' }).reply(200, { success: true });
    const res = await slack.submit(ADMIN, 'templates.delete.confirm', {}, confirm.view.private_metadata ?? '');
    expect(res.status).toBe(200);
    const list = await slack.waitView('views.update');
    expect(list.viewId).toBe('V0LIST');
    expect(textOf(list.view)).toContain('Template *order_ready* deleted.');
    expect(await TemplateModel.countDocuments()).toBe(0);
  });

  it('explains WhatsApp\'s refusal to delete and keeps the template', async () => {
    const template = await seedTemplate({ status: 'DISABLED' });
    await slack.click(ADMIN, 'templates.delete', String(template._id), { id: 'V0LIST', privateMetadata: listMeta() });
    const confirm = await slack.waitView('views.push');
    nock(WA_HOST)
      .delete(TEMPLATES_PATH)
      .query(true)
      .reply(400, graphError(100, 'Invalid parameter', { subcode: 2593004, userTitle: 'Cannot delete template', userMsg: 'A disabled template cannot be deleted.' }));
    await slack.submit(ADMIN, 'templates.delete.confirm', {}, confirm.view.private_metadata ?? '');
    const list = await slack.waitView('views.update');
    expect(textOf(list.view)).toContain(
      'WhatsApp did not delete *order_ready*: Cannot delete template: A disabled template cannot be deleted. (code 100/2593004)',
    );
    expect(await TemplateModel.countDocuments()).toBe(1);
  });

  it('refuses Delete to a non-admin', async () => {
    const template = await seedTemplate();
    await slack.click(AGENT, 'templates.delete', String(template._id), { id: 'V0LIST', privateMetadata: listMeta() });
    const shown = await slack.waitView('views.push');
    expect(shown.view.callback_id).not.toBe('templates.delete.confirm');
    expect(textOf(shown.view)).toMatch(/Only workspace admins/);
    const res = await slack.submit(AGENT, 'templates.delete.confirm', {}, JSON.stringify({ templateId: String(template._id), listViewId: 'V0LIST', listPage: 0 }));
    expect(textOf(res.json?.view)).toMatch(/Only workspace admins/);
    expect(await TemplateModel.countDocuments()).toBe(1);
  });

  it('opens from /whatsapp templates <account>, and names the problem for an unknown account', async () => {
    await slack.command(ADMIN, 'templates sales');
    const list = await slack.waitView('views.open');
    expect(list.view.callback_id).toBe('templates.list');
    await slack.command(ADMIN, 'templates Marketing');
    await expect(waitForResponse()).resolves.toMatch(/No connected WhatsApp account is called "Marketing"/);
  });
});

async function waitForResponse(): Promise<string> {
  for (let i = 0; i < 250; i++) {
    const last = slack.responses[slack.responses.length - 1];
    if (last) return String(last.text);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no response_url post');
}
