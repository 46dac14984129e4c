import nock from 'nock';
import { z } from 'zod';
import { AccountModel, ConversationModel, MessageModel, TemplateModel, type AccountDocument, type ConversationDocument } from '../../src/store/models';
import { expectValidSendBody, graphError, sendOk } from '../fakes/whatsapp-contract';
import { startTestService, type TestService } from '../helpers/service';
import {
  AGENT,
  CHANNEL,
  OUTSIDER,
  PHONE_ID,
  TemplateSlack,
  WA_API,
  createAccount,
  metadataOf,
  outboxFor,
  textOf,
  waitFor,
} from './templates-harness';
import { APP_SECRET, postWebhook, textDelivery } from '../fixtures/conversations';

const WA_HOST = new URL(WA_API).origin;
const SEND_PATH = `/v23.0/${PHONE_ID}/messages`;
const CUSTOMER = '6281234567890';

let service: TestService;
let slack: TemplateSlack;
let account: AccountDocument;
let conversation: ConversationDocument;
let approvedId: string;
const windowClosedAt = new Date('2026-01-04T01:00:00Z');

beforeAll(async () => {
  service = await startTestService();
  slack = new TemplateSlack(service);
  slack.install();
  // With an app secret: a customer who shares no number writes in by a signed webhook.
  account = await createAccount(service, { appSecretSealed: service.deps.secrets.seal(APP_SECRET) });
  const base = { accountId: account._id, category: 'UTILITY', bodyExamples: [] };
  const approved = await TemplateModel.create({
    ...base,
    name: 'order_ready',
    language: 'en_US',
    status: 'APPROVED',
    header: 'Order {{1}}',
    body: 'Hello {{1}}, your order {{2}} is ready.',
    footer: 'Toko Contoh',
    buttons: [{ type: 'QUICK_REPLY', text: 'Thanks' }],
  });
  approvedId = String(approved._id);
  await TemplateModel.create({ ...base, name: 'still_pending', language: 'en_US', status: 'PENDING', body: 'Hi {{1}} there' });
  await TemplateModel.create({ ...base, name: 'switched_off', language: 'en_US', status: 'APPROVED', enabled: false, body: 'Hi' });
  await TemplateModel.create({ ...base, name: 'image_promo', language: 'en_US', status: 'APPROVED', body: 'See {{1}}', unsupported: ['header:IMAGE'] });
});

afterAll(async () => {
  await service.stop();
  nock.cleanAll();
});

beforeEach(async () => {
  slack.clear();
  await ConversationModel.deleteMany({});
  await MessageModel.deleteMany({});
  // The customer last wrote over a day ago: the window is closed, a template is the only way back.
  conversation = await ConversationModel.create({
    accountId: account._id,
    waId: CUSTOMER,
    profileName: 'Budi',
    channelId: CHANNEL,
    threadTs: '1699999999.000100',
    lastInboundAt: new Date(windowClosedAt.getTime() - 24 * 3600_000),
    windowClosesAt: windowClosedAt,
  }).then((created) => created.toObject());
});

function sendState(values: Record<string, string>) {
  return {
    values: Object.fromEntries(
      Object.entries(values).map(([block, value]) => [block, { value: { type: 'plain_text_input', value: value || null } }]),
    ),
  };
}

async function openAndPick(userId = AGENT) {
  await slack.click(userId, 'templates.send', String(conversation._id));
  const opened = await slack.waitView('views.open');
  const meta = opened.view.private_metadata ?? '';
  await slack.action(
    userId,
    { type: 'static_select', action_id: 'templates.send.pick', selected_option: { value: approvedId, text: { type: 'plain_text', text: 'x' } } },
    { id: 'V0SEND', privateMetadata: meta },
  );
  const picked = await slack.waitView('views.update');
  return { opened, picked };
}

describe('sending a template', () => {
  it('lists only approved, switched-on templates and asks for every variable', async () => {
    const { opened, picked } = await openAndPick();
    expect(opened.view.callback_id).toBe('templates.send.submit');
    const options = JSON.stringify(opened.view.blocks);
    expect(options).toContain('order_ready (en_US)');
    expect(options).not.toContain('still_pending');
    expect(options).not.toContain('switched_off');
    expect(options).not.toContain('image_promo');
    expect(metadataOf(opened.view)).toEqual({ accountId: String(account._id), waId: CUSTOMER });

    const blocks = (picked.view.blocks ?? []).map((b) => b.block_id);
    expect(blocks).toEqual(expect.arrayContaining(['tpl_var_header', 'tpl_var_body_1', 'tpl_var_body_2']));
    expect(blocks).not.toContain('tpl_var_body_3');
    expect(textOf(picked.view)).toContain('Hello {{1}}, your order {{2}} is ready.');
    expect(metadataOf(picked.view)).toMatchObject({ templateId: approvedId });
  });

  it('marks an empty variable on its field and sends nothing', async () => {
    const { picked } = await openAndPick();
    const res = await slack.submit(AGENT, 'templates.send.submit', sendState({ tpl_var_header: '#7', tpl_var_body_1: 'Budi', tpl_var_body_2: ' ' }), picked.view.private_metadata ?? '');
    expect(res.json).toEqual({ response_action: 'errors', errors: { tpl_var_body_2: 'Fill in this value.' } });
    expect(await MessageModel.countDocuments()).toBe(0);
  });

  it('sends with the variables outside the window, stores the message, posts it in the thread and leaves the window alone', async () => {
    const { picked } = await openAndPick();
    let sent: ReturnType<typeof expectValidSendBody> | undefined;
    nock(WA_HOST)
      .post(SEND_PATH, (b: unknown) => {
        sent = expectValidSendBody(b);
        return true;
      })
      .reply(200, sendOk('wamid.TEMPLATE1', CUSTOMER));
    slack.clear();
    const res = await slack.submit(
      AGENT,
      'templates.send.submit',
      sendState({ tpl_var_header: '#7', tpl_var_body_1: 'Budi', tpl_var_body_2: 'A-100' }),
      picked.view.private_metadata ?? '',
      'V0SEND',
    );
    expect(res.json?.response_action).toBe('update');
    const done = await slack.waitView('views.update');
    expect(done.viewId).toBe('V0SEND');
    expect(textOf(done.view)).toContain(`Sent to +${CUSTOMER}`);

    expect(sent).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: CUSTOMER,
      type: 'template',
      template: {
        name: 'order_ready',
        language: { policy: 'deterministic', code: 'en_US' },
        components: [
          { type: 'header', parameters: [{ type: 'text', text: '#7' }] },
          { type: 'body', parameters: [{ type: 'text', text: 'Budi' }, { type: 'text', text: 'A-100' }] },
        ],
      },
    });
    const message = await MessageModel.findOne({ wamid: 'wamid.TEMPLATE1' });
    expect(message).toMatchObject({
      key: 'wamid.TEMPLATE1',
      direction: 'outbound',
      type: 'template',
      text: 'Hello Budi, your order A-100 is ready.',
      sender: { kind: 'slack', id: AGENT },
      status: 'sent',
    });
    expect(String(message?.conversationId)).toBe(String(conversation._id));
    const after = await ConversationModel.findById(conversation._id);
    expect(after?.windowClosesAt?.toISOString()).toBe(windowClosedAt.toISOString());
    expect(after?.lastReplyBy).toBe(AGENT);

    await outboxFor(service).drain();
    const posts = slack.posts();
    expect(posts).toHaveLength(1);
    expect(posts[0]?.params).toMatchObject({ channel: CHANNEL, thread_ts: '1699999999.000100' });
    expect(String(posts[0]?.params.text)).toContain('Hello Budi, your order A-100 is ready.');
    expect(String(posts[0]?.params.blocks)).toContain('*Order #7*');
    expect((await MessageModel.findOne({ wamid: 'wamid.TEMPLATE1' }))?.slackTs).toBeDefined();
  });

  it('sends to a customer who shares no number by their BSUID, in `recipient`, into their thread', async () => {
    const bsuid = 'ID.1410018717833190';
    await ConversationModel.deleteMany({});
    const res = await postWebhook(service, String(account._id), textDelivery({ wamid: 'wamid.BSUIDIN', from: null, userId: bsuid, username: '@sari', name: 'Sari', at: new Date('2026-01-03T01:00:00Z') }));
    expect(res.status).toBe(200);
    const found = await ConversationModel.findOne({}).lean();
    if (!found) throw new Error('no conversation');
    conversation = found;
    await outboxFor(service).drain();
    const { picked } = await openAndPick();
    expect(metadataOf(picked.view)).toMatchObject({ waId: bsuid });
    expect(textOf(picked.view)).toContain(`To *${bsuid}*`);
    let sent: ReturnType<typeof expectValidSendBody> | undefined;
    nock(WA_HOST)
      .post(SEND_PATH, (b: unknown) => {
        sent = expectValidSendBody(b);
        return true;
      })
      .reply(200, sendOk('wamid.TEMPLATE_BSUID', bsuid));
    slack.clear();
    await slack.submit(AGENT, 'templates.send.submit', sendState({ tpl_var_header: '#8', tpl_var_body_1: 'Sari', tpl_var_body_2: 'A-200' }), picked.view.private_metadata ?? '', 'V0SEND');
    expect(textOf((await slack.waitView('views.update')).view)).toContain(`Sent to ${bsuid}`);
    expect(sent).toMatchObject({ recipient: bsuid, type: 'template', template: { name: 'order_ready' } });
    expect(sent).not.toHaveProperty('to');
    expect(await ConversationModel.countDocuments()).toBe(1);
    const message = await MessageModel.findOne({ wamid: 'wamid.TEMPLATE_BSUID' });
    expect(String(message?.conversationId)).toBe(String(conversation._id));
    await outboxFor(service).drain();
    const thread = (await ConversationModel.findById(conversation._id))?.threadTs;
    expect(slack.posts().filter((p) => p.params.thread_ts === thread).map((p) => String(p.params.text))).toEqual([
      expect.stringContaining('Hello Sari, your order A-200 is ready.'),
    ]);
  });

  it("announces the sent template in the thread in the account's channel language", async () => {
    await AccountModel.updateOne({ _id: account._id }, { $set: { locale: 'id' } });
    try {
      const { picked } = await openAndPick();
      nock(WA_HOST).post(SEND_PATH).reply(200, sendOk('wamid.TEMPLATE_ID', CUSTOMER));
      slack.clear();
      await slack.submit(AGENT, 'templates.send.submit', sendState({ tpl_var_header: '#8', tpl_var_body_1: 'Sari', tpl_var_body_2: 'B-1' }), picked.view.private_metadata ?? '', 'V0SEND');
      await slack.waitView('views.update');
      await outboxFor(service).drain();
      const posts = slack.posts();
      expect(posts).toHaveLength(1);
      expect(String(posts[0]?.params.text)).toContain(`<@${AGENT}> mengirim template *order_ready* (en_US):`);
      // The template itself is sent as written: only wadesk's words change.
      expect(String(posts[0]?.params.text)).toContain('Hello Sari, your order B-1 is ready.');
    } finally {
      await AccountModel.updateOne({ _id: account._id }, { $set: { locale: 'en' } });
    }
  });

  it('shows WhatsApp\'s refusal in the send modal and stores nothing', async () => {
    const { picked } = await openAndPick();
    nock(WA_HOST).post(SEND_PATH).reply(400, graphError(132001, 'Template name does not exist in the translation', { details: 'template name (order_ready) does not exist in en_US' }));
    await slack.submit(AGENT, 'templates.send.submit', sendState({ tpl_var_header: '#7', tpl_var_body_1: 'Budi', tpl_var_body_2: 'A-1' }), picked.view.private_metadata ?? '', 'V0SEND');
    const shown = await slack.waitView('views.update', (v) => textOf(v).includes('did not send'));
    expect(textOf(shown.view)).toContain('WhatsApp did not send the message: template name (order_ready) does not exist in en_US (code 132001)');
    // The values typed stay, ready for another try.
    expect(textOf(shown.view)).toContain('"initial_value":"A-1"');
    expect(await MessageModel.countDocuments()).toBe(0);
  });

  it('starts a new conversation from /whatsapp send <account> <phone> and opens its thread', async () => {
    await slack.command(AGENT, 'send sales +62 811-2222-3333');
    const opened = await slack.waitView('views.open');
    expect(metadataOf(opened.view)).toEqual({ accountId: String(account._id), waId: '6281122223333' });

    nock(WA_HOST).post(SEND_PATH, (b: unknown) => Boolean(expectValidSendBody(b))).reply(200, sendOk('wamid.NEW1', '6281122223333'));
    const meta = JSON.stringify({ ...metadataOf(opened.view), templateId: approvedId });
    await slack.submit(AGENT, 'templates.send.submit', sendState({ tpl_var_header: '#1', tpl_var_body_1: 'Sari', tpl_var_body_2: 'B-2' }), meta);
    await waitFor(() => slack.views('views.update').length > 0, 'the sent view');
    const created = await ConversationModel.findOne({ waId: '6281122223333' });
    expect(created).toMatchObject({ channelId: CHANNEL });
    expect(created?.windowClosesAt ?? undefined).toBeUndefined();

    await outboxFor(service).drain();
    const posts = slack.posts();
    // The thread's root (the conversation header) first, then the template inside it.
    expect(posts).toHaveLength(2);
    const threadTs = (await ConversationModel.findById(created?._id))?.threadTs;
    expect(threadTs).toBeTruthy();
    expect(posts[1]?.params.thread_ts).toBe(threadTs);
    expect(String(posts[1]?.params.text)).toContain('Hello Sari, your order B-2 is ready.');
  });

  it('explains a malformed phone number', async () => {
    await slack.command(AGENT, 'send sales 12ab');
    await waitFor(() => slack.responses[0], 'the ephemeral answer');
    expect(String(slack.responses[0]?.text)).toContain('"12ab" is not a phone number in international format');
  });

  it('refuses someone outside the account\'s channel, from the thread button, the command and the modal', async () => {
    await slack.click(OUTSIDER, 'templates.send', String(conversation._id));
    const shown = await slack.waitView('views.open');
    expect(textOf(shown.view)).toContain(`Only members of <#${CHANNEL}> may send templates`);

    await slack.command(OUTSIDER, `send sales ${CUSTOMER}`);
    await waitFor(() => slack.responses[0], 'the ephemeral answer');
    expect(String(slack.responses[0]?.text)).toContain(`Only members of <#${CHANNEL}>`);

    const meta = JSON.stringify({ accountId: String(account._id), waId: CUSTOMER, templateId: approvedId });
    const res = await slack.submit(OUTSIDER, 'templates.send.submit', sendState({ tpl_var_header: '#7', tpl_var_body_1: 'Budi', tpl_var_body_2: 'A' }), meta);
    expect(textOf(res.json?.view)).toContain(`Only members of <#${CHANNEL}>`);
    expect(await MessageModel.countDocuments()).toBe(0);
  });

  it('refuses a template that was switched off after the modal opened', async () => {
    const off = await TemplateModel.findOne({ name: 'switched_off' });
    const meta = JSON.stringify({ accountId: String(account._id), waId: CUSTOMER, templateId: String(off?._id) });
    await slack.submit(AGENT, 'templates.send.submit', sendState({}), meta, 'V0SEND');
    const shown = await slack.waitView('views.update');
    expect(textOf(shown.view)).toContain('no longer approved and switched ON');
    expect(await MessageModel.countDocuments()).toBe(0);
  });

  it('past the 100 templates one select lists, Slack asks for the options matching what the agent types', async () => {
    const extra = Array.from({ length: 130 }, (_, n) => ({
      accountId: account._id,
      category: 'UTILITY',
      bodyExamples: [],
      name: `promo_${String(n).padStart(3, '0')}`,
      language: 'id',
      status: 'APPROVED',
      body: 'Halo Kak',
    }));
    const created = await TemplateModel.insertMany(extra);
    try {
      await slack.click(AGENT, 'templates.send', String(conversation._id));
      const opened = await slack.waitView('views.open');
      const select = JSON.stringify(opened.view.blocks);
      expect(select).toContain('"type":"external_select"');
      expect(select).not.toContain('promo_000');

      const suggest = async (value: string, teamId = 'T0001') => {
        const payload = {
          type: 'block_suggestion',
          action_id: 'templates.send.pick',
          block_id: 'tpl_pick',
          value,
          team: { id: teamId, domain: 'acme' },
          user: { id: AGENT, name: 'agent', team_id: teamId },
          api_app_id: 'A0001',
          token: 'deprecated',
          container: { type: 'view', view_id: 'V0SEND' },
          view: { id: 'V0SEND', type: 'modal', team_id: teamId, private_metadata: opened.view.private_metadata ?? '', callback_id: 'templates.send.submit', state: { values: {} }, hash: '1.h', blocks: [] },
        };
        const res = await slack.post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
        expect(res.status).toBe(200);
        return z.object({ options: z.array(z.object({ value: z.string(), text: z.object({ text: z.string() }) })) }).parse(res.json).options;
      };
      const everything = await suggest('');
      expect(everything).toHaveLength(100);
      const some = await suggest('PROMO_12');
      expect(some.map((o) => o.text.text)).toEqual(Array.from({ length: 10 }, (_, n) => `promo_${120 + n} (id)`));
      expect(await suggest('order', 'T9999')).toEqual([]);

      // The picked option comes back as with a static select.
      const picked = some[0];
      await slack.action(AGENT, { type: 'external_select', action_id: 'templates.send.pick', selected_option: picked }, { id: 'V0SEND', privateMetadata: opened.view.private_metadata ?? '' });
      const updated = await slack.waitView('views.update');
      expect(metadataOf(updated.view)).toMatchObject({ templateId: picked?.value });
      expect(JSON.stringify(updated.view.blocks)).toContain(`"initial_option":{"text":{"type":"plain_text","text":"promo_120 (id)"`);
    } finally {
      await TemplateModel.deleteMany({ _id: { $in: created.map((t) => t._id) } });
    }
  });
});
