import nock from 'nock';
import { z } from 'zod';
import { ConversationModel, MessageModel, OutboxModel, WindowAlertModel, type AccountDocument, type ConversationDocument } from '../../src/store/models';
import { expectValidSendBody, graphError, graphErrors, mediaUploadOk, sendOk } from '../fakes/whatsapp-contract';
import { startTestService, type TestService } from '../helpers/service';
import { outboxKeys } from '../helpers/outbox';
import { postToSlackEvents } from '../helpers/slack';
import {
  CHANNEL,
  FakeSlack,
  GRAPH_API,
  PHONE_NUMBER_ID,
  UPLOAD_HOST,
  clearConversations,
  createAccount,
  eventually,
  postWebhook,
  statusDelivery,
  textDelivery,
} from '../fixtures/conversations';

const HOUR = 60 * 60 * 1000;
const textSent = z.object({ type: z.literal('text'), text: z.object({ body: z.string() }) });
const CUSTOMER = '6281200000001';

describe('agents replying from Slack', () => {
  let service: TestService;
  let account: AccountDocument;
  let conversation: ConversationDocument;
  const slack = new FakeSlack();
  let seq = 0;

  beforeAll(async () => {
    service = await startTestService();
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
    service.clock.set(new Date('2026-01-05T03:00:00Z'));
    // The customer wrote an hour ago: the window is open for 23 more hours.
    const res = await postWebhook(service, String(account._id), textDelivery({ wamid: `wamid.Q${seq++}`, from: CUSTOMER, at: new Date(service.clock.now().getTime() - HOUR), body: 'do you ship to Bandung?' }));
    expect(res.status).toBe(200);
    await service.outbox.drain();
    const found = await ConversationModel.findOne({}).lean();
    if (!found?.threadTs) throw new Error('no thread');
    conversation = found;
    slack.reset();
    slack.install();
  });

  /** Delivers a Slack message event the way Slack does, signed; `redelivered` sends it again as Slack's retry of it. */
  async function slackMessage(event: Record<string, unknown>, redelivered?: { ts: string; eventId: string }): Promise<string> {
    const ts = redelivered?.ts ?? `${Math.floor(service.clock.now().getTime() / 1000)}.${String(++seq).padStart(6, '0')}`;
    const body = JSON.stringify({
      type: 'event_callback',
      team_id: 'T0001',
      api_app_id: 'A0001',
      event: { type: 'message', channel: CHANNEL, user: 'U0AGENT', ts, thread_ts: conversation.threadTs, channel_type: 'channel', event_ts: ts, ...event },
      event_id: redelivered?.eventId ?? `Ev${ts}`,
      event_time: Math.floor(service.clock.now().getTime() / 1000),
      authorizations: [{ team_id: 'T0001', user_id: 'UBOT', is_bot: true }],
    });
    const headers = redelivered ? { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } : undefined;
    const res = await postToSlackEvents(service.url, body, { now: service.clock.now(), contentType: 'application/json', headers });
    expect(res.status).toBe(200);
    return ts;
  }

  const sends = async () => (await outboxKeys(/^whatsapp-send:/)).length;

  /** An agent shares a file in the thread (downloadable at UPLOAD_HOST), and its send is queued. */
  async function shareFile(file: { id: string; name: string; mimetype: string }, text = ''): Promise<void> {
    const url_private_download = `${UPLOAD_HOST}/files-pri/T0001-${file.id}/download/${file.name}`;
    await slackMessage({ subtype: 'file_share', text, files: [{ ...file, url_private_download }] });
    await eventually(sends, 'the file to be queued');
  }

  it('sends a reply inside the window as WhatsApp text and marks it sent', async () => {
    const bodies: unknown[] = [];
    nock(GRAPH_API)
      .post(`/${PHONE_NUMBER_ID}/messages`, (b: unknown) => (bodies.push(b), true))
      .reply(200, sendOk('wamid.REPLY1', CUSTOMER));
    const ts = await slackMessage({ text: 'Yes &amp; free for orders over <https://shop.test/promo|Rp 500k>' });
    await eventually(sends, 'the reply to be queued');
    await service.outbox.drain();

    expect(bodies).toHaveLength(1);
    const body = expectValidSendBody(bodies[0]);
    expect(body).toMatchObject({ to: CUSTOMER, type: 'text', text: { body: 'Yes & free for orders over Rp 500k (https://shop.test/promo)' } });
    const stored = await MessageModel.findOne({ direction: 'outbound' });
    expect(stored).toMatchObject({ wamid: 'wamid.REPLY1', status: 'sent', slackTs: ts, sender: { kind: 'slack', id: 'U0AGENT' } });
    expect(slack.of('reactions.add')).toEqual([expect.objectContaining({ channel: CHANNEL, timestamp: ts, name: 'heavy_check_mark' })]);
    const after = await ConversationModel.findById(conversation._id);
    expect(after?.lastReplyBy).toBe('U0AGENT');
    expect(after?.lastReplyAt?.toISOString()).toBe(service.clock.now().toISOString());
    expect(await WindowAlertModel.findById(conversation._id)).toBeNull();
    // The window is the customer's: our send did not extend it.
    expect(after?.windowClosesAt?.toISOString()).toBe(conversation.windowClosesAt?.toISOString());
  });

  it("splits a reply over WhatsApp's 4,096-character limit into messages sent in order", async () => {
    const bodies: unknown[] = [];
    let n = 0;
    nock(GRAPH_API)
      .post(`/${PHONE_NUMBER_ID}/messages`, (b: unknown) => (bodies.push(b), true))
      .times(3)
      .reply(200, () => sendOk(`wamid.LONG${++n}`, CUSTOMER));
    const paragraph = (label: string) => `${label} ${'lorem ipsum '.repeat(330)}`.trim();
    await slackMessage({ text: [paragraph('first'), paragraph('second'), paragraph('third')].join('\n') });
    await eventually(async () => (await sends()) === 3, 'the three parts to be queued');
    await service.outbox.drain();

    // Each part passed Meta's contract (body at most 4,096), and together they are the whole reply.
    const texts = bodies.map((b) => textSent.parse(expectValidSendBody(b)).text.body);
    expect(texts.map((t) => t.split(' ')[0])).toEqual(['first', 'second', 'third']);
    expect(texts.every((t) => t.length <= 4096)).toBe(true);
    const stored = await MessageModel.find({ direction: 'outbound' }).sort({ _id: 1 });
    expect(stored.map((m) => [m.status, m.wamid])).toEqual([['sent', 'wamid.LONG1'], ['sent', 'wamid.LONG2'], ['sent', 'wamid.LONG3']]);
  });

  it("splits a paragraph longer than 4,096 characters between words, every part within the limit", async () => {
    const bodies: unknown[] = [];
    let n = 0;
    nock(GRAPH_API)
      .post(`/${PHONE_NUMBER_ID}/messages`, (b: unknown) => (bodies.push(b), true))
      .times(2)
      .reply(200, () => sendOk(`wamid.PARA${++n}`, CUSTOMER));
    // 5,000 characters without a line break: no paragraph to split at, so it goes at the last space that fits.
    const words = Array.from({ length: 1_000 }, (_, i) => `w${String(i % 1_000).padStart(3, '0')}`);
    await slackMessage({ text: words.join(' ') });
    await eventually(async () => (await sends()) === 2, 'the two parts to be queued');
    await service.outbox.drain();

    const texts = bodies.map((b) => textSent.parse(expectValidSendBody(b)).text.body);
    expect(texts).toHaveLength(2);
    expect(texts.every((t) => t.length <= 4096)).toBe(true);
    expect(texts.join(' ').split(' ')).toEqual(words);
  });

  it('moves the status reaction as Slack keeps reactions: absent ones removed, an add Slack already did counts as done', async () => {
    nock(GRAPH_API).post(`/${PHONE_NUMBER_ID}/messages`).reply(200, sendOk('wamid.REACT1', CUSTOMER));
    const ts = await slackMessage({ text: 'on its way' });
    await eventually(sends, 'the reply to be queued');
    await service.outbox.drain();
    // "sent" removed ✅ and 👀, which were never there: Slack answered no_reaction, and that is fine.
    expect(slack.reactions.on(CHANNEL, ts)).toEqual(['heavy_check_mark']);

    // Slack adds 👀 but its answer is lost; the retry hears already_reacted.
    slack.loseAnswer('reactions.add', { acted: true });
    await postWebhook(service, String(account._id), statusDelivery({ wamid: 'wamid.REACT1', status: 'read', at: service.clock.now() }));
    await service.outbox.drain();
    service.clock.advance(60_000);
    await service.outbox.drain();

    expect(slack.reactions.on(CHANNEL, ts)).toEqual(['eyes']);
    expect(slack.of('reactions.add').filter((a) => a.name === 'eyes')).toHaveLength(2);
    expect(await OutboxModel.countDocuments({})).toBe(0);
  });

  it('sends nothing once the window has closed and offers a template, privately', async () => {
    service.clock.advance(23 * HOUR);
    await slackMessage({ text: 'sorry for the late answer' });
    const ephemeral = await eventually(async () => slack.of('chat.postEphemeral')[0], 'the ephemeral');
    expect(ephemeral).toMatchObject({ channel: CHANNEL, user: 'U0AGENT', thread_ts: conversation.threadTs });
    expect(String(ephemeral.text)).toMatch(/window closed/);
    expect(JSON.stringify(ephemeral.blocks)).toContain(`"action_id":"templates.send","value":"${String(conversation._id)}"`);
    await service.outbox.drain();
    expect(await sends()).toBe(0);
    expect(await MessageModel.countDocuments({ direction: 'outbound' })).toBe(0);
  });

  it('sends one minute before the close, not at the close', async () => {
    nock(GRAPH_API).post(`/${PHONE_NUMBER_ID}/messages`).reply(200, sendOk('wamid.EDGE'));
    service.clock.set(new Date((conversation.windowClosesAt?.getTime() ?? 0) - 60_000));
    await slackMessage({ text: 'just in time' });
    await eventually(sends, 'the reply to be queued');
    await service.outbox.drain();
    expect((await MessageModel.findOne({ direction: 'outbound' }))?.status).toBe('sent');

    service.clock.set(conversation.windowClosesAt ?? new Date());
    await slackMessage({ text: 'too late' });
    await eventually(async () => slack.of('chat.postEphemeral')[0], 'the ephemeral');
    expect(await sends()).toBe(1);
  });

  it('keeps an internal note to the team', async () => {
    const ts = await slackMessage({ text: '// customer is a reseller, give 10%' });
    const note = await eventually(() => MessageModel.findOne({ direction: 'note' }), 'the note');
    expect(note).toMatchObject({ text: 'customer is a reseller, give 10%', sender: { kind: 'slack', id: 'U0AGENT' } });
    // The note is stored before its reaction is queued: wait for the queueing, not just the note.
    await eventually(async () => {
      await service.outbox.drain();
      return slack.of('reactions.add')[0];
    }, 'the note reaction');
    expect(await sends()).toBe(0);
    expect(slack.of('reactions.add')).toEqual([expect.objectContaining({ timestamp: ts, name: 'memo' })]);
    // A note is not an answer.
    expect((await ConversationModel.findById(conversation._id))?.lastReplyAt).toBeUndefined();
  });

  it('retries throttling with backoff and sends once', async () => {
    const [status, error] = graphErrors.rateLimited();
    nock(GRAPH_API).post(`/${PHONE_NUMBER_ID}/messages`).reply(status, error);
    await slackMessage({ text: 'busy day' });
    await eventually(sends, 'the reply to be queued');
    await service.outbox.drain();
    expect((await MessageModel.findOne({ direction: 'outbound' }))?.status).toBe('pending');

    const ok = nock(GRAPH_API).post(`/${PHONE_NUMBER_ID}/messages`).reply(200, sendOk('wamid.AFTER'));
    service.clock.advance(1_000);
    await service.outbox.drain();
    expect(ok.isDone()).toBe(true);
    expect((await MessageModel.findOne({ direction: 'outbound' }))?.wamid).toBe('wamid.AFTER');
    expect(slack.posts('Not delivered')).toHaveLength(0);
  });

  it('reports a permanent error once in the thread and does not retry', async () => {
    nock(GRAPH_API).post(`/${PHONE_NUMBER_ID}/messages`).reply(400, graphError(131026, 'Message undeliverable'));
    await slackMessage({ text: 'hello?' });
    await eventually(sends, 'the reply to be queued');
    await service.outbox.drain();
    service.clock.advance(HOUR);
    await service.outbox.drain();
    const stored = await MessageModel.findOne({ direction: 'outbound' });
    expect(stored?.status).toBe('failed');
    expect(stored?.error).toMatchObject({ code: 131026, meaning: 'undeliverable' });
    const notice = slack.posts('131026');
    expect(notice).toHaveLength(1);
    expect(notice[0]).toMatchObject({ thread_ts: conversation.threadTs });
    expect(String(notice[0]?.text)).toMatch(/could not be delivered/);
    expect(slack.of('reactions.add').map((r) => r.name)).toEqual(['x']);
  });

  it('treats WhatsApp answering 131047 like a closed window', async () => {
    const [status, error] = graphErrors.reEngagement();
    nock(GRAPH_API).post(`/${PHONE_NUMBER_ID}/messages`).reply(status, error);
    await slackMessage({ text: 'clocks disagree' });
    await eventually(sends, 'the reply to be queued');
    await service.outbox.drain();
    const ephemeral = slack.of('chat.postEphemeral')[0];
    expect(ephemeral).toMatchObject({ user: 'U0AGENT' });
    expect(JSON.stringify(ephemeral?.blocks)).toContain('templates.send');
    expect((await MessageModel.findOne({ direction: 'outbound' }))?.error).toMatchObject({ code: 131047 });
  });

  it('sends a Slack file as WhatsApp media with the text as caption', async () => {
    nock(UPLOAD_HOST).get('/files-pri/T0001-F0PHOTO/download/photo.jpg').matchHeader('authorization', 'Bearer xoxb-test-bot-token').reply(200, Buffer.from('photo-bytes'));
    const upload = nock(GRAPH_API).post(`/${PHONE_NUMBER_ID}/media`, (b: string) => b.includes('photo-bytes')).reply(200, mediaUploadOk('MEDIA77'));
    const bodies: unknown[] = [];
    nock(GRAPH_API).post(`/${PHONE_NUMBER_ID}/messages`, (b: unknown) => (bodies.push(b), true)).reply(200, sendOk('wamid.PHOTO'));
    await shareFile({ id: 'F0PHOTO', name: 'photo.jpg', mimetype: 'image/jpeg' }, 'here is the catalogue');
    await service.outbox.drain();
    expect(upload.isDone()).toBe(true);
    expect(expectValidSendBody(bodies[0])).toMatchObject({ type: 'image', image: { id: 'MEDIA77', caption: 'here is the catalogue' } });
    expect((await MessageModel.findOne({ direction: 'outbound' }))?.status).toBe('sent');
  });

  it('sends a reply once when Slack redelivers its event (X-Slack-Retry-Num)', async () => {
    const send = nock(GRAPH_API).post(`/${PHONE_NUMBER_ID}/messages`).reply(200, sendOk('wamid.ONCE', CUSTOMER));
    const ts = await slackMessage({ text: 'only once please' });
    await service.slackSettled();
    await slackMessage({ text: 'only once please' }, { ts, eventId: `Ev${ts}` });
    await service.slackSettled();
    await service.outbox.drain();
    expect(send.isDone()).toBe(true);
    expect(await MessageModel.countDocuments({ direction: 'outbound' })).toBe(1);
    expect(await sends()).toBe(1);
  });

  it.each([
    ['waited in the queue until the window closed', async () => service.clock.set(new Date((conversation.windowClosesAt?.getTime() ?? 0) + 60_000)), { code: 131047 }],
    ['waited while its account was switched off', async () => void (await account.updateOne({ enabled: false })), { title: 'account switched off' }],
  ])('sends nothing when the reply %s', async (_label, meanwhile, error) => {
    try {
      await slackMessage({ text: 'sorry, busy day' });
      await eventually(sends, 'the reply to be queued');
      await meanwhile();
      // No WhatsApp call is nocked: one would fail this test.
      await service.outbox.drain();
      const stored = await MessageModel.findOne({ direction: 'outbound' });
      expect(stored).toMatchObject({ status: 'failed', error });
    } finally {
      await account.updateOne({ enabled: true });
    }
  });

  it('reports a Slack file that can no longer be downloaded in the thread, sending nothing', async () => {
    nock(UPLOAD_HOST).get('/files-pri/T0001-F0GONE/download/gone.pdf').reply(404, 'file_not_found');
    await shareFile({ id: 'F0GONE', name: 'gone.pdf', mimetype: 'application/pdf' });
    await service.outbox.drain();
    const stored = await MessageModel.findOne({ direction: 'outbound' });
    expect(stored).toMatchObject({ status: 'failed', error: { title: 'Slack file download answered HTTP 404' } });
    const report = slack.posts().find((p) => p.thread_ts === conversation.threadTs);
    expect(report).toBeDefined();
    expect(await OutboxModel.countDocuments({ state: 'failed' })).toBe(0);
  });

  it('ignores messages outside conversation threads and from bots', async () => {
    await slackMessage({ text: 'channel chatter', thread_ts: undefined });
    await slackMessage({ text: 'other thread', thread_ts: '1600000000.000100' });
    await slackMessage({ text: 'a bot', subtype: 'bot_message', bot_id: 'BOTHER', user: undefined });
    await slackMessage({ text: 'edited', subtype: 'message_changed' });
    // Bolt runs listeners after acknowledging: wait until every one of them has finished.
    await service.slackSettled();
    expect(await MessageModel.countDocuments({ direction: { $ne: 'inbound' } })).toBe(0);
    expect(await sends()).toBe(0);
    expect(slack.of('chat.postEphemeral')).toEqual([]);
  });

  it('tells the agent when the account is switched off', async () => {
    await account.updateOne({ enabled: false });
    try {
      await slackMessage({ text: 'anyone?' });
      const ephemeral = await eventually(async () => slack.of('chat.postEphemeral')[0], 'the ephemeral');
      expect(String(ephemeral.text)).toMatch(/switched off/);
      expect(await sends()).toBe(0);
    } finally {
      await account.updateOne({ enabled: true });
    }
  });
});
