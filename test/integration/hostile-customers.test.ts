import nock from 'nock';
import { ConversationModel } from '../../src/store/models';
import { startTestService, type TestService } from '../helpers/service';
import { FakeSlack, GRAPH, GRAPH_API, clearConversations, createAccount, envelope, messageValue, postWebhook, textDelivery, unix } from '../fixtures/conversations';

/**
 * A customer who writes Slack's control sequences into every field they control must not
 * mention anyone, nor forge a link, in any field Slack parses: blocks, and the top-level `text`
 * that notifications show. Every payload the fake Slack received is walked.
 */
const HOSTILE = '<!channel> <!here> <@U123> <https://evil.example|click here>';
const UNESCAPED = ['<!channel>', '<!here>', '<@U123>', '<https://evil.example', '<javascript:'];
const PHONE = '6281200000077';
const MEDIA_ID = '1003383421387256';

/** Every string in a payload, with where it was. */
function strings(value: unknown, path: string, out: { path: string; text: string }[]): void {
  if (typeof value === 'string') out.push({ path, text: value });
  else if (Array.isArray(value)) value.forEach((v, n) => strings(v, `${path}[${n}]`, out));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) strings(v, `${path}.${k}`, out);
}

describe('a hostile customer cannot ping the channel or forge links', () => {
  let service: TestService;
  const slack = new FakeSlack();

  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(async () => {
    await service.stop();
  });
  beforeEach(async () => {
    nock.cleanAll();
    slack.reset();
    slack.install();
    await clearConversations();
    service.clock.set(new Date('2026-05-05T03:00:00Z'));
  });

  it('escapes every message type, the profile name, the ad referral and the "wrote again" notice, in every field', async () => {
    const account = await createAccount(service);
    const post = (body: string) => postWebhook(service, String(account._id), body);
    const now = service.clock.now().getTime();
    // The customer wrote 30 hours ago: the window has closed, so their next message is broadcast as "wrote again".
    expect((await post(textDelivery({ wamid: 'wamid.H0', from: PHONE, name: HOSTILE, at: new Date(now - 30 * 3600_000), body: 'earlier' }))).status).toBe(200);
    await service.outbox.drain();
    expect((await ConversationModel.findOne({}))?.threadTs).toBeDefined();

    nock(GRAPH_API).get(`/${MEDIA_ID}`).times(10).reply(200, { url: `${GRAPH}/media/blob/h`, mime_type: 'image/jpeg', id: MEDIA_ID });
    nock(GRAPH).get('/media/blob/h').times(10).reply(200, Buffer.from('bytes'), { 'content-type': 'image/jpeg' });
    let n = 0;
    const m = (type: string, content: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
      from: PHONE,
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
    const res = await post(envelope([messageValue(messages, [{ waId: PHONE, name: HOSTILE }])]));
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
