import nock from 'nock';
import { ConversationModel, journalEntries, MessageModel, OutboxModel, type AccountDocument } from '../../src/store/models';
import { recentAccountsCached } from '../../src/store/accounts';
import { startTestService, type TestService } from '../helpers/service';
import {
  CHANNEL,
  FakeSlack,
  GRAPH,
  GRAPH_API,
  VERIFY_TOKEN,
  clearConversations,
  createAccount,
  postWebhook,
  sign,
  textDelivery,
  webhookExamples,
} from '../fixtures/conversations';

describe('WhatsApp webhooks', () => {
  let service: TestService;
  let account: AccountDocument;
  const slack = new FakeSlack();

  beforeAll(async () => {
    service = await startTestService({ WEBHOOK_BODY_LIMIT_BYTES: '4096' });
    account = await createAccount(service);
  });
  afterAll(async () => {
    await service.stop();
  });
  beforeEach(async () => {
    nock.cleanAll();
    slack.reset();
    slack.install();
    await clearConversations();
  });

  /** Messages stored, and deliveries journaled but not ingested: a refused request leaves neither. */
  const stored = async () => (await MessageModel.countDocuments()) + (await journalEntries().countDocuments());

  describe('acknowledgement', () => {
    it('answers 200 once the delivery is journaled; its message is stored when the journal is ingested', async () => {
      const raw = textDelivery({ wamid: 'wamid.JOURNALED', at: service.clock.now() });
      const res = await fetch(`${service.url}/webhooks/whatsapp/${String(account._id)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(raw) },
        body: raw,
      });
      expect(res.status).toBe(200);
      expect((await journalEntries().find({}).lean()).map((e) => e.body)).toEqual([raw]);
      expect(await MessageModel.countDocuments({ wamid: 'wamid.JOURNALED' })).toBe(0);

      await service.journal.drain();
      expect(await MessageModel.countDocuments({ wamid: 'wamid.JOURNALED' })).toBe(1);
      expect(await journalEntries().countDocuments()).toBe(0);
    });
  });

  describe('the verification handshake', () => {
    const handshake = (id: string, query: Record<string, string>) =>
      fetch(`${service.url}/webhooks/whatsapp/${id}?${new URLSearchParams(query).toString()}`);

    it('echoes the challenge for the right verify token', async () => {
      const res = await handshake(String(account._id), { 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '1158201444' });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('1158201444');
    });

    it.each([
      ['a wrong token', { 'hub.mode': 'subscribe', 'hub.verify_token': 'nope', 'hub.challenge': 'c' }],
      ['a wrong mode', { 'hub.mode': 'unsubscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': 'c' }],
      ['no token', { 'hub.mode': 'subscribe', 'hub.challenge': 'c' }],
    ])('refuses %s with 403', async (_label, query) => {
      const res = await handshake(String(account._id), query);
      expect(res.status).toBe(403);
      expect(await res.text()).not.toContain('"c"');
    });

    it('answers 404 for an unknown account', async () => {
      const res = await handshake('64b7f0000000000000000000', { 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': 'c' });
      expect(res.status).toBe(404);
    });
  });

  describe('refusals', () => {
    const body = () => textDelivery({ wamid: 'wamid.REFUSED', at: service.clock.now() });

    it.each([
      ['no signature', null],
      ['a signature made with another secret', sign('{}', 'other-secret')],
      ['a signature of other bytes', 'sign-other'],
      ['a malformed signature header', 'sha256=xyz'],
      ['a signature without its prefix', 'plain'],
    ])('refuses %s with 401 and stores nothing', async (_label, signature) => {
      const raw = body();
      const header = signature === 'sign-other' ? sign(raw + ' ') : signature === 'plain' ? sign(raw).slice('sha256='.length) : signature;
      const res = await postWebhook(service, String(account._id), raw, { signature: header });
      expect(res.status).toBe(401);
      expect(await stored()).toBe(0);
      expect(await OutboxModel.countDocuments()).toBe(0);
    });

    it('checks the signature over the raw bytes, not re-serialised JSON', async () => {
      // Meta escapes non-ASCII as \uXXXX; re-serialising would turn it into UTF-8 and break the HMAC.
      const raw = textDelivery({ wamid: 'wamid.ESCAPED', at: service.clock.now(), body: 'caf\\u00e9' }).replace('caf\\\\u00e9', 'caf\\u00e9');
      const res = await postWebhook(service, String(account._id), raw);
      expect(res.status).toBe(200);
      expect((await MessageModel.findOne({ wamid: 'wamid.ESCAPED' }))?.text).toBe('café');
    });

    it('refuses malformed JSON with 400 and a reason', async () => {
      const res = await postWebhook(service, String(account._id), '{"object":');
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: expect.stringMatching(/malformed JSON/) });
      expect(await stored()).toBe(0);
    });

    it('refuses a payload of the wrong shape with 400 naming the path', async () => {
      const raw = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { messages: [{ id: 'x' }] } }] }] });
      const res = await postWebhook(service, String(account._id), raw);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: expect.stringMatching(/entry\[0\]\.changes\[0\]\.value/) });
      expect(await stored()).toBe(0);
    });

    it('refuses a body over the limit with 413', async () => {
      const raw = JSON.stringify({ object: 'whatsapp_business_account', entry: [], pad: 'x'.repeat(5000) });
      const res = await postWebhook(service, String(account._id), raw);
      expect(res.status).toBe(413);
      expect(await stored()).toBe(0);
    });

    it('answers 404 for an unknown, a malformed and a disconnected account', async () => {
      expect((await postWebhook(service, '64b7f0000000000000000000', body())).status).toBe(404);
      expect((await postWebhook(service, 'not-an-id', body())).status).toBe(404);
      const gone = await createAccount(service, { state: 'disconnected' });
      expect((await postWebhook(service, String(gone._id), body())).status).toBe(404);
      expect(await stored()).toBe(0);
    });

    it('remembers nothing of unknown account ids, however many and however long', async () => {
      // Unsigned requests choose these ids: a cache keyed by them would grow with every one.
      const before = recentAccountsCached();
      const long = (n: number) => `${n}`.padStart(14_000, 'f');
      const unknownHex = (n: number) => `64b7f${n.toString(16).padStart(19, '0')}`;
      for (let batch = 0; batch < 10; batch++) {
        const ids = Array.from({ length: 50 }, (_, i) => batch * 50 + i).flatMap((n) => [long(n), unknownHex(n)]);
        const statuses = await Promise.all(ids.map(async (id) => (await postWebhook(service, id, '{}', { signature: null, ingest: false })).status));
        expect(new Set(statuses)).toEqual(new Set([404]));
      }
      const after = recentAccountsCached();
      expect(after.entries).toBeLessThanOrEqual(before.entries);
      expect(after.keyChars).toBeLessThanOrEqual(after.entries * 24);
      expect(await stored()).toBe(0);
    });

    it('stores the messages of a switched-off account without posting to Slack', async () => {
      const off = await createAccount(service, { enabled: false });
      const res = await postWebhook(service, String(off._id), textDelivery({ wamid: 'wamid.OFF', at: service.clock.now() }));
      expect(res.status).toBe(200);
      expect(await MessageModel.countDocuments({ wamid: 'wamid.OFF' })).toBe(1);
      await service.outbox.drain();
      expect(slack.calls).toEqual([]);
    });
  });

  describe('BSP accounts (the Cloud API through a provider)', () => {
    it("accept the Cloud API's own deliveries, unsigned, at the secret URL only", async () => {
      const bsp = await createAccount(service, { kind: 'bsp', apiUrl: 'https://waba-v2.360dialog.test', apiKeyHeader: 'D360-API-KEY', phoneNumberId: undefined, appSecretSealed: undefined });
      const body = (wamid: string) => textDelivery({ wamid, from: '6281300000002', name: 'Siti', at: service.clock.now() });
      const ok = await postWebhook(service, String(bsp._id), body('wamid.BSP'), { signature: null, path: `/${VERIFY_TOKEN}` });
      expect(ok.status).toBe(200);
      const wrong = await postWebhook(service, String(bsp._id), body('wamid.BSP2'), { signature: null, path: '/guessed' });
      expect(wrong.status).toBe(401);
      // Meta's signed URL is not a BSP's: it would take deliveries without the secret.
      expect((await postWebhook(service, String(bsp._id), body('wamid.BSP3'))).status).toBe(404);
      expect(await MessageModel.find({}, { wamid: 1 }).then((ms) => ms.map((m) => m.wamid))).toEqual(['wamid.BSP']);
      const conversation = await ConversationModel.findOne({ accountId: bsp._id });
      expect(conversation?.profileName).toBe('Siti');
    });
  });

  describe('accounts on the retired On-Premises API', () => {
    it('are answered 410 Gone at every webhook URL, with the reason, and store nothing', async () => {
      const onprem = await createAccount(service, { kind: 'onprem', apiUrl: 'https://waba.360dialog.io', phoneNumberId: undefined, appSecretSealed: undefined });
      const flat = JSON.stringify({ messages: [{ from: '6281300000002', id: 'wamid.GONE', timestamp: '1767500000', type: 'text', text: { body: 'halo' } }] });
      const secret = await postWebhook(service, String(onprem._id), flat, { signature: null, path: `/${VERIFY_TOKEN}` });
      expect(secret.status).toBe(410);
      expect(await secret.json()).toEqual({ error: expect.stringContaining('retired by Meta on 2025-10-23') });
      expect((await postWebhook(service, String(onprem._id), textDelivery({ wamid: 'wamid.GONE2', at: service.clock.now() }))).status).toBe(410);
      const handshake = await fetch(`${service.url}/webhooks/whatsapp/${String(onprem._id)}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=c`);
      expect(handshake.status).toBe(410);
      expect(await MessageModel.countDocuments()).toBe(0);
      expect(await journalEntries().countDocuments({ accountId: onprem._id })).toBe(0);
    });
  });

  describe("Meta's example payloads", () => {
    const examples = webhookExamples();
    const expected: Record<string, { type?: string; slack: 'post' | 'upload' | 'reaction' | 'none' }> = {
      'Text Message': { type: 'text', slack: 'post' },
      'Text Message with Context (Product Inquiry)': { type: 'text', slack: 'post' },
      'Text Message from Click to WhatsApp Ad': { type: 'text', slack: 'post' },
      'Reaction Message': { type: 'reaction', slack: 'reaction' },
      'Image Message': { type: 'image', slack: 'upload' },
      'Location Message': { type: 'location', slack: 'post' },
      'Contact Sharing Message': { type: 'contacts', slack: 'post' },
      'Unsupported Message': { type: 'unsupported', slack: 'post' },
      'Button Message': { type: 'button', slack: 'post' },
      'Interactive List Reply Message': { type: 'interactive', slack: 'post' },
      'Interactive Button Reply Message': { type: 'interactive', slack: 'post' },
      'Order Message': { type: 'order', slack: 'post' },
      'System Message': { type: 'system', slack: 'post' },
      'Group Create Message': { slack: 'none' },
      'Group Settings Update': { slack: 'none' },
      'Group Remove Participants': { slack: 'none' },
    };

    it('covers all sixteen', () => {
      expect(Object.keys(examples).sort()).toEqual(Object.keys(expected).sort());
    });

    it.each(Object.keys(expected))('stores and posts "%s"', async (name) => {
      const want = expected[name];
      if (!want) throw new Error(`no expectation for ${name}`);
      const raw = JSON.stringify(examples[name]);
      if (want.slack === 'upload') {
        nock(GRAPH_API).get('/1003383421387256').reply(200, { url: `${GRAPH}/media/blob/1`, mime_type: 'image/jpeg', id: '1003383421387256' });
        nock(GRAPH).get('/media/blob/1').reply(200, Buffer.from('jpeg-bytes'), { 'content-type': 'image/jpeg' });
      }
      const res = await postWebhook(service, String(account._id), raw);
      expect(res.status).toBe(200);
      const messages = await MessageModel.find({});
      if (!want.type) {
        expect(messages).toHaveLength(0);
        await service.outbox.drain();
        expect(slack.calls).toEqual([]);
        return;
      }
      expect(messages).toHaveLength(1);
      const [message] = messages;
      expect(message?.type).toBe(want.type);
      expect(message?.direction).toBe('inbound');
      expect(message?.sender?.kind).toBe('customer');
      expect(message?.accountId.toString()).toBe(String(account._id));

      await service.outbox.drain();
      const posts = slack.of('chat.postMessage');
      // The first post opens the thread in the account's channel with the header.
      expect(posts[0]?.channel).toBe(CHANNEL);
      expect(posts[0]?.thread_ts).toBeUndefined();
      const conversation = await ConversationModel.findOne({});
      expect(conversation?.threadTs).toBeDefined();
      if (want.slack === 'post') {
        expect(posts).toHaveLength(2);
        expect(posts[1]?.thread_ts).toBe(conversation?.threadTs);
        expect((await MessageModel.findById(message?._id))?.slackTs).toBeDefined();
      } else if (want.slack === 'upload') {
        expect(slack.uploads.map((b) => b.toString())).toEqual(['jpeg-bytes']);
        expect(slack.of('files.completeUploadExternal')[0]).toMatchObject({ channel_id: CHANNEL, thread_ts: conversation?.threadTs, initial_comment: 'Photo: Taj Mahal' });
      } else {
        // The reacted-to message is not in Slack, so the reaction is shown as text.
        expect(posts[1]?.text).toMatch(/Reacted/);
      }
    });

    it('shows a customer profile and the reply window in the header', async () => {
      await postWebhook(service, String(account._id), JSON.stringify(examples['Text Message']));
      await service.outbox.drain();
      const root = JSON.stringify(slack.of('chat.postMessage')[0]);
      expect(root).toContain('Sheena Nelson');
      expect(root).toContain('+16505551234');
      expect(root).toContain(account.name);
      expect(root).toMatch(/<!date\^\d+\^\{date_short_pretty\} \{time\}\|/);
    });
  });
});
