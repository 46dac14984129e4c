import nock from 'nock';
import { insertMessage } from '../../src/store/messages';
import { ConversationModel, MessageModel, type AccountDocument } from '../../src/store/models';
import { bsuidNotSupported, expectValidSendBody, sendOk } from '../fakes/whatsapp-contract';
import type { TestService } from '../helpers/service';
import { outboxKeys } from '../helpers/outbox';
import { postToSlackEvents } from '../helpers/slack';
import {
  CHANNEL,
  FakeSlack,
  GRAPH_API,
  PHONE_NUMBER_ID,
  GRAPH,
  envelope,
  eventually,
  messageValue,
  postWebhook,
  sender,
  statusDelivery,
  textDelivery,
  suiteWithAccount,
  unix,
} from '../fixtures/conversations';

/**
 * Customers as Meta identifies them since April 2026: a business-scoped user ID (BSUID) in every
 * webhook, the number only while they share it, a username if they took one. Signed webhooks
 * into the real service and database; Slack and the Graph API are fakes.
 */
const PHONE = '6281200000001';
const NEW_PHONE = '6281299999999';
const BSUID = 'ID.1410018717833190';
const NEW_BSUID = 'ID.9988776655443322';
const MINUTE = 60_000;

const HOSTILE = '<!channel> <!here> <@U123> <https://evil.example|click here>';
const UNESCAPED = ['<!channel>', '<!here>', '<@U123>', '<https://evil.example', '<javascript:'];
const HOSTILE_PHONE = '6281200000077';
const MEDIA_ID = '1003383421387256';

/** Every string in a payload, with where it was. */
function strings(value: unknown, path: string, out: { path: string; text: string }[]): void {
  if (typeof value === 'string') out.push({ path, text: value });
  else if (Array.isArray(value)) value.forEach((v, n) => strings(v, `${path}[${n}]`, out));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) strings(v, `${path}.${k}`, out);
}

describe('customers known by a BSUID, a number or both', () => {
  const slack = new FakeSlack();
  const suite = suiteWithAccount(slack, new Date('2026-05-05T03:00:00Z'));
  let service: TestService;
  let account: AccountDocument;
  let seq = 0;
  const post = (body: string) => postWebhook(service, String(account._id), body);
  const at = (minutes: number) => new Date(service.clock.now().getTime() - 60 * MINUTE + minutes * MINUTE);
  const roots = () => slack.of('chat.postMessage').filter((p) => p.thread_ts === undefined);

  beforeAll(() => {
    service = suite.service();
    account = suite.account();
  });

  async function write(o: { from?: string | null; userId?: string; username?: string; name?: string; body: string; minute: number }) {
    const res = await post(textDelivery({ wamid: `wamid.C${++seq}`, at: at(o.minute), ...o }));
    expect(res.status).toBe(200);
    await service.outbox.drain();
  }

  it('takes a customer by number only, as before, and shows the number on the root', async () => {
    await write({ from: PHONE, name: 'Budi', body: 'hi by number', minute: 1 });
    const c = await ConversationModel.findOne({});
    expect(c).toMatchObject({ waId: PHONE, phone: PHONE });
    expect(c?.userId).toBeUndefined();
    expect(roots()).toHaveLength(1);
    expect(roots()[0]?.text).toBe(`WhatsApp conversation with Budi (+${PHONE})`);
    expect(slack.posts('hi by number')).toHaveLength(1);
  });

  it('stores number, BSUID and username together and shows username and number on the root', async () => {
    await write({ from: PHONE, userId: BSUID, username: '@budi', name: 'Budi', body: 'hi with both', minute: 1 });
    const c = await ConversationModel.findOne({});
    expect(c).toMatchObject({ phone: PHONE, userId: BSUID, username: '@budi', profileName: 'Budi' });
    expect(roots()[0]?.text).toBe(`WhatsApp conversation with Budi (@budi · +${PHONE})`);
    expect(JSON.stringify(roots()[0]?.blocks)).toContain(`@budi · +${PHONE}`);
  });

  it('takes a customer who shares no number, by BSUID, and shows their username', async () => {
    await write({ from: null, userId: BSUID, username: '@sari', name: 'Sari', body: 'hi without a number', minute: 1 });
    const c = await ConversationModel.findOne({});
    expect(c).toMatchObject({ waId: BSUID, userId: BSUID, username: '@sari' });
    expect(c?.phone).toBeUndefined();
    expect(roots()[0]?.text).toBe('WhatsApp conversation with Sari (@sari)');
    expect(slack.posts('hi without a number')).toHaveLength(1);
    expect(await MessageModel.findOne({ direction: 'inbound' })).toMatchObject({ sender: { kind: 'customer', id: BSUID } });
  });

  it('refuses a delivery that names the customer by neither, with a reason, and stores nothing', async () => {
    const body = envelope([messageValue([{ ...sender({ from: null }), id: 'wamid.NOBODY', timestamp: unix(at(1)), type: 'text', text: { body: 'x' } }])]);
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe(
      'unexpected payload: entry[0].changes[0].value.messages[0].from: neither a phone number nor a business-scoped user ID (BSUID) identifies the customer (from, from_user_id)',
    );
    expect(await MessageModel.countDocuments()).toBe(0);
  });

  it('refuses a number or a BSUID that is not one', async () => {
    const bad = async (ids: Record<string, string>) =>
      post(envelope([messageValue([{ ...ids, id: `wamid.BAD${++seq}`, timestamp: unix(at(1)), type: 'text', text: { body: 'x' } }])]));
    expect((await bad({ from: '+<!channel>' })).status).toBe(400);
    expect((await bad({ from_user_id: 'not a bsuid' })).status).toBe(400);
    expect((await bad({ from_user_id: 'US.ENT.11815799212886844830' })).status).toBe(200);
  });

  it('keeps one conversation and one thread from number, to number and BSUID, to BSUID alone', async () => {
    await write({ from: PHONE, name: 'Budi', body: 'first, by number', minute: 1 });
    await write({ from: PHONE, userId: BSUID, name: 'Budi', body: 'second, both', minute: 2 });
    await write({ from: null, userId: BSUID, username: '@budi', name: 'Budi', body: 'third, username only', minute: 3 });
    expect(await ConversationModel.countDocuments()).toBe(1);
    const c = await ConversationModel.findOne({});
    expect(c).toMatchObject({ waId: PHONE, phone: PHONE, userId: BSUID, username: '@budi' });
    expect(roots()).toHaveLength(1);
    const inThread = slack.of('chat.postMessage').filter((p) => p.thread_ts === c?.threadTs).map((p) => p.text);
    expect(inThread).toEqual(['first, by number', 'second, both', 'third, username only']);
    // The root now names the username too.
    expect(slack.of('chat.update').at(-1)?.text).toBe(`WhatsApp conversation with Budi (@budi · +${PHONE})`);
  });

  it('keeps one conversation for a customer first seen by BSUID who later shares their number', async () => {
    await write({ from: null, userId: BSUID, name: 'Sari', body: 'no number yet', minute: 1 });
    await write({ from: PHONE, userId: BSUID, name: 'Sari', body: 'now with number', minute: 2 });
    await write({ from: PHONE, name: 'Sari', body: 'an old-style delivery, number only', minute: 3 });
    expect(await ConversationModel.countDocuments()).toBe(1);
    expect(await ConversationModel.findOne({})).toMatchObject({ waId: BSUID, phone: PHONE, userId: BSUID });
    expect(roots()).toHaveLength(1);
  });

  it('links number and BSUID from the status of a message we sent by number', async () => {
    await write({ from: PHONE, name: 'Budi', body: 'by number', minute: 1 });
    const c = await ConversationModel.findOne({});
    if (!c) throw new Error('no conversation');
    // A message we sent to the number; its statuses name the recipient by number and BSUID.
    await insertMessage({ key: 'wamid.OUT1', wamid: 'wamid.OUT1', accountId: account._id, conversationId: c._id, direction: 'outbound', type: 'text', sentAt: at(2), sender: { kind: 'slack', id: 'U0AGENT' }, status: 'sent' });
    expect((await post(statusDelivery({ wamid: 'wamid.OUT1', status: 'delivered', at: at(3), to: PHONE, userId: BSUID }))).status).toBe(200);
    expect(await ConversationModel.findOne({})).toMatchObject({ phone: PHONE, userId: BSUID });
    await write({ from: null, userId: BSUID, body: 'later, BSUID only', minute: 4 });
    expect(await ConversationModel.countDocuments()).toBe(1);
  });

  it('shows a new username on the root and keeps the thread', async () => {
    await write({ from: null, userId: BSUID, username: '@sari', name: 'Sari', body: 'as sari', minute: 1 });
    await write({ from: null, userId: BSUID, username: '@sari.toko', name: 'Sari', body: 'as sari.toko', minute: 2 });
    expect(await ConversationModel.countDocuments()).toBe(1);
    expect((await ConversationModel.findOne({}))?.username).toBe('@sari.toko');
    expect(roots()).toHaveLength(1);
    expect(slack.of('chat.update').at(-1)?.text).toBe('WhatsApp conversation with Sari (@sari.toko)');
  });

  it('follows a number change: Meta’s system message, then the new number and BSUID, in one thread', async () => {
    await write({ from: PHONE, userId: BSUID, name: 'Budi', body: 'before the change', minute: 1 });
    // Meta's system message: from the old number, no contacts array, the new number in system.wa_id.
    const system = envelope([
      {
        messaging_product: 'whatsapp',
        metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
        messages: [
          {
            from: PHONE,
            id: 'wamid.SYSTEM1',
            timestamp: unix(at(2)),
            type: 'system',
            system: { body: `User Budi changed from ${PHONE} to ${NEW_PHONE}`, wa_id: NEW_PHONE, type: 'user_changed_number' },
          },
        ],
      },
    ]);
    expect((await post(system)).status).toBe(200);
    await service.outbox.drain();
    expect(await ConversationModel.findOne({})).toMatchObject({ waId: BSUID, phone: NEW_PHONE, userId: BSUID });
    // Meta gives a changed number a new BSUID: the new pair arrives together.
    await write({ from: NEW_PHONE, userId: NEW_BSUID, name: 'Budi', body: 'after the change', minute: 3 });
    expect(await ConversationModel.countDocuments()).toBe(1);
    const c = await ConversationModel.findOne({});
    expect(c).toMatchObject({ phone: NEW_PHONE, userId: NEW_BSUID });
    expect(roots()).toHaveLength(1);
    const inThread = slack.of('chat.postMessage').filter((p) => p.thread_ts === c?.threadTs).map((p) => String(p.text));
    expect(inThread).toEqual(['before the change', `System: User Budi changed from ${PHONE} to ${NEW_PHONE}`, 'after the change']);
    expect(slack.of('chat.update').at(-1)?.text).toBe(`WhatsApp conversation with Budi (+${NEW_PHONE})`);
    // The system notice opened no window of its own.
    expect(c?.lastInboundAt?.toISOString()).toBe(at(3).toISOString());
  });

  it('follows a user_id_update webhook to the new BSUID', async () => {
    await write({ from: null, userId: BSUID, name: 'Sari', body: 'old BSUID', minute: 1 });
    const update = envelope(
      [
        {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
          user_id_update: [{ user_id: { previous: BSUID, current: NEW_BSUID }, timestamp: unix(at(2)) }],
        },
      ],
      'user_id_update',
    );
    expect((await post(update)).status).toBe(200);
    await write({ from: null, userId: NEW_BSUID, name: 'Sari', body: 'new BSUID', minute: 3 });
    expect(await ConversationModel.countDocuments()).toBe(1);
    expect(await ConversationModel.findOne({})).toMatchObject({ userId: NEW_BSUID });
    expect(roots()).toHaveLength(1);
  });

  describe('replying to a customer known only by BSUID', () => {
    async function agentReplies(text: string): Promise<void> {
      const c = await ConversationModel.findOne({});
      const ts = `${Math.floor(service.clock.now().getTime() / 1000)}.${String(++seq).padStart(6, '0')}`;
      const body = JSON.stringify({
        type: 'event_callback',
        team_id: 'T0001',
        api_app_id: 'A0001',
        event: { type: 'message', channel: CHANNEL, user: 'U0AGENT', text, ts, thread_ts: c?.threadTs, channel_type: 'channel', event_ts: ts },
        event_id: `EvB${seq}`,
        event_time: Math.floor(service.clock.now().getTime() / 1000),
        authorizations: [{ team_id: 'T0001', user_id: 'UBOT', is_bot: true }],
      });
      expect((await postToSlackEvents(service.url, body, { now: service.clock.now(), contentType: 'application/json' })).status).toBe(200);
      await eventually(async () => (await outboxKeys(/^whatsapp-send:/)).length, 'the reply to be queued');
      await service.outbox.drain();
    }

    it('sends the reply to the BSUID in `recipient`, without `to`', async () => {
      await write({ from: null, userId: BSUID, username: '@sari', name: 'Sari', body: 'can I order?', minute: 50 });
      const bodies: unknown[] = [];
      nock(GRAPH_API)
        .post(`/${PHONE_NUMBER_ID}/messages`, (b: unknown) => (bodies.push(b), true))
        .reply(200, sendOk('wamid.TOBSUID', BSUID));
      await agentReplies('yes, of course');
      expect(bodies).toHaveLength(1);
      const sent = expectValidSendBody(bodies[0]);
      expect(sent).toMatchObject({ recipient: BSUID, type: 'text', text: { body: 'yes, of course' } });
      expect(sent).not.toHaveProperty('to');
      expect(await MessageModel.findOne({ direction: 'outbound' })).toMatchObject({ wamid: 'wamid.TOBSUID', status: 'sent' });
    });

    it('sends to the number once the customer shares it', async () => {
      await write({ from: PHONE, userId: BSUID, name: 'Budi', body: 'here is my number', minute: 50 });
      const bodies: unknown[] = [];
      nock(GRAPH_API).post(`/${PHONE_NUMBER_ID}/messages`, (b: unknown) => (bodies.push(b), true)).reply(200, sendOk('wamid.TOPHONE', PHONE));
      await agentReplies('thanks');
      const sent = expectValidSendBody(bodies[0]);
      expect(sent).toMatchObject({ to: PHONE });
      expect(sent).not.toHaveProperty('recipient');
    });

    it('says clearly in the thread when WhatsApp refuses a BSUID recipient', async () => {
      await write({ from: null, userId: BSUID, name: 'Sari', body: 'hello', minute: 50 });
      nock(GRAPH_API).post(`/${PHONE_NUMBER_ID}/messages`).reply(...bsuidNotSupported());
      await agentReplies('a reply WhatsApp will refuse');
      expect(slack.of('chat.postMessage').map((p) => String(p.text))).toContain(
        'Not delivered (WhatsApp error 131062): WhatsApp does not deliver this kind of message to a customer known only by their business-scoped user ID (no phone number)',
      );
      expect(await MessageModel.findOne({ direction: 'outbound' })).toMatchObject({ status: 'failed', error: { code: 131062, meaning: 'bsuid_not_supported' } });
    });
  });

  // Issue #22: a customer who writes Slack's control sequences into every field they control must not
  // mention anyone, nor forge a link, in any field Slack parses. Every payload the fake Slack received is walked.
  it('escapes every message type, the profile name, the ad referral and the "wrote again" notice, in every field', async () => {
    const now = service.clock.now().getTime();
    // The customer wrote 30 hours ago: the window has closed, so their next message is broadcast as "wrote again".
    expect((await post(textDelivery({ wamid: 'wamid.H0', from: HOSTILE_PHONE, name: HOSTILE, at: new Date(now - 30 * 3600_000), body: 'earlier' }))).status).toBe(200);
    await service.outbox.drain();
    expect((await ConversationModel.findOne({}))?.threadTs).toBeDefined();

    nock(GRAPH_API).get(`/${MEDIA_ID}`).times(10).reply(200, { url: `${GRAPH}/media/blob/h`, mime_type: 'image/jpeg', id: MEDIA_ID });
    nock(GRAPH).get('/media/blob/h').times(10).reply(200, Buffer.from('bytes'), { 'content-type': 'image/jpeg' });
    let n = 0;
    const m = (type: string, content: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
      from: HOSTILE_PHONE,
      id: `wamid.H${++n}`,
      timestamp: unix(new Date(now - 60_000 + n * 1000)),
      type,
      ...content,
      ...extra,
    });
    const media = { id: MEDIA_ID, mime_type: 'image/jpeg', caption: HOSTILE };
    const messages = [
      m('text', { text: { body: HOSTILE } }, { referral: { source_url: 'javascript:alert(1)', source_type: 'ad', headline: HOSTILE, body: HOSTILE } }),
      m('text', { text: { body: 'from an ad' } }, { referral: { source_url: 'https://ok.example/a|b>c <!here>', source_type: 'ad', headline: 'x' } }),
      m('image', { image: media }),
      m('video', { video: media }),
      m('document', { document: { ...media, filename: HOSTILE } }),
      m('audio', { audio: { id: MEDIA_ID, mime_type: 'audio/ogg' } }),
      m('sticker', { sticker: { id: MEDIA_ID, mime_type: 'image/webp' } }),
      m('location', { location: { latitude: -6.2, longitude: 106.8, name: HOSTILE, address: HOSTILE, url: 'javascript:alert(1)' } }),
      m('contacts', {
        contacts: [{ name: { formatted_name: HOSTILE }, org: { company: HOSTILE }, phones: [{ phone: HOSTILE, type: HOSTILE }], emails: [{ email: HOSTILE }] }],
      }),
      m('interactive', { interactive: { type: 'button_reply', button_reply: { id: HOSTILE, title: HOSTILE } } }),
      m('interactive', { interactive: { type: 'list_reply', list_reply: { id: HOSTILE, title: HOSTILE, description: HOSTILE } } }),
      m('button', { button: { text: HOSTILE, payload: HOSTILE } }),
      m('reaction', { reaction: { message_id: 'wamid.UNKNOWN', emoji: HOSTILE } }),
      m('order', { order: { catalog_id: HOSTILE, text: HOSTILE, product_items: [{ product_retailer_id: HOSTILE, quantity: 1, item_price: 1, currency: HOSTILE }] } }),
      m('system', { system: { body: HOSTILE, type: HOSTILE } }),
      m(HOSTILE, { [HOSTILE]: { body: HOSTILE } }),
      m('unsupported', { errors: [{ code: 131051, title: HOSTILE, error_data: { details: HOSTILE } }] }),
    ];
    const res = await post(envelope([messageValue(messages, [{ waId: HOSTILE_PHONE, name: HOSTILE }])]));
    expect(res.status).toBe(200);
    await service.outbox.drain();

    // Every message reached Slack, and the first one after the closed window was broadcast.
    expect(slack.of('chat.postMessage').some((p) => p.reply_broadcast === true || p.reply_broadcast === 'true')).toBe(true);
    expect(slack.of('files.completeUploadExternal').length).toBeGreaterThanOrEqual(5);
    expect(slack.of('chat.update').length).toBeGreaterThanOrEqual(1);

    const found: { path: string; text: string }[] = [];
    slack.calls.forEach((call, c) => strings(call.args, `${call.method}#${c}`, found));
    const unescaped = found.filter(({ text }) => UNESCAPED.some((seq) => text.includes(seq)));
    expect(unescaped).toEqual([]);
    // The hostile text did arrive, escaped.
    expect(found.some(({ text }) => text.includes('&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; &lt;https://evil.example|click here&gt;'))).toBe(true);
    // A safe ad link is kept, made harmless; a javascript: one is dropped.
    expect(found.some(({ text }) => text.includes('<https://ok.example/a%7Cb%3Ec%20%3C!here%3E>'))).toBe(true);
  });
});
