import nock from 'nock';
import { z } from 'zod';
import { ConversationModel, MessageModel, OutboxModel, WindowAlertModel, type AccountDocument } from '../../src/store/models';
import { insertMessage } from '../../src/store/messages';
import { graphError } from '../fakes/whatsapp-contract';
import { startTestService, type TestService } from '../helpers/service';
import {
  CHANNEL,
  FakeSlack,
  GRAPH,
  GRAPH_API,
  clearConversations,
  createAccount,
  envelope,
  messageValue,
  postWebhook,
  statusDelivery,
  textDelivery,
  textMessage,
  webhookExamples,
} from '../fixtures/conversations';

const HOUR = 60 * 60 * 1000;

describe('customers writing in: conversations in Slack threads', () => {
  let service: TestService;
  let account: AccountDocument;
  const slack = new FakeSlack();
  const post = (body: string) => postWebhook(service, String(account._id), body);

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
  });

  it('stores and posts a message delivered twice at once exactly once', async () => {
    const body = textDelivery({ wamid: 'wamid.TWICE', at: service.clock.now(), body: 'is this in stock?' });
    const answers = await Promise.all([post(body), post(body), post(body)]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await MessageModel.countDocuments({ wamid: 'wamid.TWICE' })).toBe(1);
    expect(await ConversationModel.countDocuments()).toBe(1);
    await service.outbox.drain();
    // And once more, later: a redelivery after the post.
    expect((await post(body)).status).toBe(200);
    await service.outbox.drain();
    expect(slack.posts('is this in stock?')).toHaveLength(1);
    expect(slack.of('chat.postMessage')).toHaveLength(2);
  });

  it('handles a batch: several entries, changes and messages, in order, one thread per customer', async () => {
    const t = service.clock.now().getTime();
    const at = (minutes: number) => new Date(t - 60 * 60_000 + minutes * 60_000);
    const value1 = messageValue(
      [
        textMessage({ wamid: 'wamid.B1', from: '62811', at: at(1), body: 'first' }),
        textMessage({ wamid: 'wamid.B2', from: '62822', at: at(2), body: 'other customer' }),
        textMessage({ wamid: 'wamid.B3', from: '62811', at: at(3), body: 'second' }),
      ],
      [
        { waId: '62811', name: 'Ani' },
        { waId: '62822', name: 'Bayu' },
      ],
    );
    const value2 = messageValue([textMessage({ wamid: 'wamid.B4', from: '62811', at: at(4), body: 'third' })], [{ waId: '62811', name: 'Ani' }]);
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        { id: '419561257915477', changes: [{ field: 'messages', value: value1 }] },
        { id: '419561257915477', changes: [{ field: 'messages', value: value2 }] },
      ],
    });
    expect((await post(body)).status).toBe(200);
    expect(await MessageModel.countDocuments()).toBe(4);
    await service.outbox.drain();

    const ani = await ConversationModel.findOne({ waId: '62811' });
    const bayu = await ConversationModel.findOne({ waId: '62822' });
    expect(ani?.profileName).toBe('Ani');
    expect(bayu?.profileName).toBe('Bayu');
    expect(ani?.threadTs).not.toBe(bayu?.threadTs);
    const inAniThread = slack.of('chat.postMessage').filter((p) => p.thread_ts === ani?.threadTs).map((p) => p.text);
    expect(inAniThread).toEqual(['first', 'second', 'third']);
    expect(ani?.windowClosesAt?.toISOString()).toBe(new Date(at(4).getTime() + 24 * HOUR).toISOString());
  });

  it('keeps the window at the latest message whatever order deliveries arrive in', async () => {
    const now = service.clock.now().getTime();
    const later = new Date(now - 1 * HOUR);
    const earlier = new Date(now - 5 * HOUR);
    await post(textDelivery({ wamid: 'wamid.LATER', at: later, body: 'later one' }));
    const afterLater = await ConversationModel.findOne({});
    expect(afterLater?.windowClosesAt?.toISOString()).toBe(new Date(later.getTime() + 24 * HOUR).toISOString());
    expect((await WindowAlertModel.findById(afterLater?._id))?.nextAlertAt?.toISOString()).toBe(new Date(later.getTime() + 24 * HOUR - 120 * 60_000).toISOString());
    expect(afterLater?.lastInboundPreview).toBe('later one');

    // Marks as if warnings had already gone out for this window.
    await WindowAlertModel.updateOne({ _id: afterLater?._id }, { $set: { warnedThresholds: [120], closedNotified: false } });
    await post(textDelivery({ wamid: 'wamid.EARLIER', at: earlier, body: 'earlier one' }));
    const afterEarlier = await ConversationModel.findOne({});
    expect(afterEarlier?.windowClosesAt?.toISOString()).toBe(afterLater?.windowClosesAt?.toISOString());
    expect(afterEarlier?.lastInboundPreview).toBe('later one');
    // The late delivery did not reset the alerts of the current window.
    expect((await WindowAlertModel.findById(afterEarlier?._id))?.warnedThresholds).toEqual([120]);
    expect(await MessageModel.countDocuments()).toBe(2);

    // The webhook's arrival time does not matter, only the message's own timestamp.
    service.clock.advance(20 * HOUR);
    await post(textDelivery({ wamid: 'wamid.NEWEST', at: new Date(now), body: 'newest' }));
    const newest = await ConversationModel.findOne({});
    expect(newest?.windowClosesAt?.toISOString()).toBe(new Date(now + 24 * HOUR).toISOString());
    const fresh = await WindowAlertModel.findById(newest?._id);
    expect(fresh?.warnedThresholds).toEqual([]);
    expect(fresh?.closesAt?.toISOString()).toBe(new Date(now + 24 * HOUR).toISOString());
  });

  it('loses and duplicates nothing while Slack is down, and resumes in order once it is back', async () => {
    slack.down = true;
    const t = service.clock.now().getTime();
    for (const [i, text] of ['one', 'two', 'three'].entries()) {
      expect((await post(textDelivery({ wamid: `wamid.DOWN${i}`, at: new Date(t - HOUR + i * 60_000), body: text }))).status).toBe(200);
    }
    await service.outbox.drain();
    expect(slack.calls).toEqual([]);
    expect(await OutboxModel.countDocuments({ state: 'pending' })).toBeGreaterThanOrEqual(3);

    // Still down at the first retry.
    service.clock.advance(2_000);
    await service.outbox.drain();
    expect(slack.calls).toEqual([]);

    slack.down = false;
    slack.rateLimitNext = 1;
    service.clock.advance(10_000);
    await service.outbox.drain();
    expect(slack.calls).toEqual([]);
    // The 429 asked for 7 s; nothing more goes out before that.
    service.clock.advance(6_000);
    await service.outbox.drain();
    expect(slack.calls).toEqual([]);
    service.clock.advance(1_000);
    await service.outbox.drain();

    const conversation = await ConversationModel.findOne({});
    expect(slack.of('chat.postMessage').filter((p) => p.thread_ts === undefined)).toHaveLength(1);
    const replies = slack.of('chat.postMessage').filter((p) => p.thread_ts === conversation?.threadTs).map((p) => p.text);
    expect(replies).toEqual(['one', 'two', 'three']);
    expect(await OutboxModel.countDocuments()).toBe(0);
  });

  it('continues the same thread when the customer returns after the window closed, and tells the channel', async () => {
    const t0 = service.clock.now();
    await post(textDelivery({ wamid: 'wamid.R1', at: t0, body: 'hi' }));
    await service.outbox.drain();
    const before = await ConversationModel.findOne({});

    service.clock.advance(30 * HOUR);
    await post(textDelivery({ wamid: 'wamid.R2', at: service.clock.now(), body: 'back again' }));
    await service.outbox.drain();
    const after = await ConversationModel.findOne({});
    expect(after?.threadTs).toBe(before?.threadTs);
    const comeback = slack.posts('back again');
    expect(comeback).toHaveLength(1);
    expect(comeback[0]).toMatchObject({ thread_ts: before?.threadTs, reply_broadcast: 'true' });
    expect(String(comeback[0]?.text)).toMatch(/wrote again/);
    // The header now shows the new window.
    const update = slack.of('chat.update').at(-1);
    expect(update).toMatchObject({ channel: CHANNEL, ts: before?.threadTs });
    expect(JSON.stringify(update)).toContain(String(Math.floor((service.clock.now().getTime() + 24 * HOUR) / 1000)));
  });

  it("ingests a customer's waiting deliveries together, each as alone: in order, once, and only the one that reopened the window announced", async () => {
    const t0 = service.clock.now();
    await post(textDelivery({ wamid: 'wamid.W1', at: t0, body: 'first visit' }));
    await service.outbox.drain();

    service.clock.advance(30 * HOUR);
    const t1 = service.clock.now().getTime();
    const later = (seconds: number) => new Date(t1 + seconds * 1000);
    // Journaled one after another and ingested in one go, a redelivery among them.
    for (const body of [
      textDelivery({ wamid: 'wamid.W2', at: later(0), body: 'back' }),
      textDelivery({ wamid: 'wamid.W3', at: later(5), body: 'still there?' }),
      textDelivery({ wamid: 'wamid.W2', at: later(0), body: 'back' }),
      textDelivery({ wamid: 'wamid.W4', at: later(10), body: 'hello?' }),
    ]) {
      expect((await postWebhook(service, String(account._id), body, { ingest: false })).status).toBe(200);
    }
    await service.journal.drain();
    await service.outbox.drain();

    const conversation = await ConversationModel.findOne({});
    const replies = slack.of('chat.postMessage').filter((p) => p.thread_ts === conversation?.threadTs);
    expect(replies.map((p) => p.text)).toEqual(['first visit', expect.stringMatching(/wrote again.*back$/), 'still there?', 'hello?']);
    expect(replies.map((p) => p.reply_broadcast)).toEqual(['false', 'true', 'false', 'false']);
    expect(await MessageModel.countDocuments({ wamid: 'wamid.W2' })).toBe(1);
    expect(conversation?.windowClosesAt).toEqual(new Date(later(10).getTime() + 24 * HOUR));
    expect(conversation?.lastInboundPreview).toBe('hello?');
  });

  it("posts a customer's longest text whole: WhatsApp's 4,096 characters over several sections, the full text as the fallback", async () => {
    // Escaping makes '&' five characters: a text that grows past two sections once escaped.
    const body = ('Halo kak, pesanan saya & alamat 🙏 ' + 'x'.repeat(200) + '\n').repeat(20).slice(0, 4096);
    expect(body.length).toBe(4096);
    expect((await post(textDelivery({ wamid: 'wamid.LONG', at: service.clock.now(), body }))).status).toBe(200);
    await service.outbox.drain();

    // The fallback is the full text, escaped like the blocks (Slack parses it too).
    const escaped = body.replace(/&/g, '&amp;');
    const shown = slack.of('chat.postMessage').find((a) => a.text === escaped);
    expect(shown).toBeDefined();
    const blocks = z.array(z.object({ type: z.string(), text: z.object({ text: z.string() }) })).parse(shown?.blocks);
    expect(blocks.length).toBeGreaterThan(1);
    expect(blocks.every((b) => b.text.text.length <= 3000)).toBe(true);
    expect(blocks.map((b) => b.text.text).join('')).toBe(escaped);
  });

  it('updates the header once per minute the shown close time moves, not per message', async () => {
    const t0 = service.clock.now();
    const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
    await post(textDelivery({ wamid: 'wamid.H0', at: at(0), body: 'h0' }));
    await service.outbox.drain();
    // Three more within the same minute: the window moves each time, what the header shows does not.
    for (const s of [10, 20, 30]) await post(textDelivery({ wamid: `wamid.H${s}`, at: at(s), body: `h${s}` }));
    await service.outbox.drain();
    expect(slack.of('chat.update')).toHaveLength(0);
    expect((await ConversationModel.findOne({}))?.windowClosesAt).toEqual(new Date(at(30).getTime() + 24 * HOUR));

    await post(textDelivery({ wamid: 'wamid.H90', at: at(90), body: 'h90' }));
    await post(textDelivery({ wamid: 'wamid.H95', at: at(95), body: 'h95' }));
    await service.outbox.drain();
    const updates = slack.of('chat.update');
    expect(updates).toHaveLength(1);
    expect(JSON.stringify(updates[0])).toContain(String(Math.floor((at(95).getTime() + 24 * HOUR) / 1000)));
  });

  it("opens the thread in the account's channel language: Indonesian for an Indonesian account", async () => {
    const indonesian = await createAccount(service, { locale: 'id' });
    const body = textDelivery({ wamid: 'wamid.ID1', from: '6281299', name: 'Siti', at: service.clock.now(), body: 'halo, masih ada stok?' });
    expect((await postWebhook(service, String(indonesian._id), body)).status).toBe(200);
    await service.outbox.drain();

    const roots = slack.of('chat.postMessage').filter((p) => p.thread_ts === undefined);
    expect(roots).toHaveLength(1);
    expect(roots[0]?.text).toBe('Percakapan WhatsApp dengan Siti (+6281299)');
    const header = JSON.stringify(roots[0]?.blocks);
    expect(header).toContain(`Akun: ${indonesian.name}`);
    expect(header).toContain('Balas sebelum');
    expect(header).not.toMatch(/Reply before|Account:/);
    // The customer's own words are not translated.
    expect(slack.posts('halo, masih ada stok?')).toHaveLength(1);
  });

  it('keeps an English account English', async () => {
    await post(textDelivery({ wamid: 'wamid.EN1', from: '6281288', name: 'Budi', at: service.clock.now(), body: 'hello' }));
    await service.outbox.drain();
    const root = slack.of('chat.postMessage').find((p) => p.thread_ts === undefined);
    expect(root?.text).toBe('WhatsApp conversation with Budi (+6281288)');
    expect(JSON.stringify(root?.blocks)).toContain('Reply before');
  });

  describe('statuses of our messages', () => {
    async function outboundMessage(wamid: string) {
      await post(textDelivery({ wamid: 'wamid.IN', at: service.clock.now(), body: 'question' }));
      await service.outbox.drain();
      const conversation = await ConversationModel.findOne({});
      if (!conversation) throw new Error('no conversation');
      // Through the store, which registers the wamid that statuses find it by.
      const { message } = await insertMessage({
        key: `slack:${CHANNEL}:1700000999.000100`,
        accountId: account._id,
        conversationId: conversation._id,
        direction: 'outbound',
        wamid,
        type: 'text',
        text: 'answer',
        content: { kind: 'text', body: 'answer' },
        sentAt: service.clock.now(),
        sender: { kind: 'slack', id: 'U0AGENT' },
        status: 'sent',
        slackChannelId: CHANNEL,
        slackTs: '1700000999.000100',
      });
      return message;
    }

    it('moves sent → delivered → read, never backwards, and shows it as a reaction', async () => {
      const message = await outboundMessage('wamid.OUT1');
      await post(statusDelivery({ wamid: 'wamid.OUT1', status: 'read', at: service.clock.now() }));
      await post(statusDelivery({ wamid: 'wamid.OUT1', status: 'delivered', at: service.clock.now() }));
      await service.outbox.drain();
      expect((await MessageModel.findById(message._id))?.status).toBe('read');
      expect(slack.of('reactions.add')).toEqual([expect.objectContaining({ channel: CHANNEL, timestamp: '1700000999.000100', name: 'eyes' })]);
    });

    it('shows a failure with its meaning, and a closed window offers a template', async () => {
      const message = await outboundMessage('wamid.OUT2');
      const errors = [{ code: 131047, title: 'Re-engagement message', message: 'Re-engagement message', error_data: { details: 'more than 24 hours' } }];
      expect((await post(statusDelivery({ wamid: 'wamid.OUT2', status: 'failed', at: service.clock.now(), errors }))).status).toBe(200);
      await service.outbox.drain();
      const stored = await MessageModel.findById(message._id);
      expect(stored?.status).toBe('failed');
      expect(stored?.error).toMatchObject({ code: 131047, meaning: 'window_closed' });
      const notice = slack.posts('131047');
      expect(notice).toHaveLength(1);
      expect(String(notice[0]?.text)).toMatch(/window has closed/);
      expect(JSON.stringify(notice[0]?.blocks)).toContain('"action_id":"templates.send"');
      expect(JSON.stringify(notice[0]?.blocks)).toContain(String(message.conversationId));
      expect(slack.of('reactions.add').map((r) => r.name)).toEqual(['x']);
      // A repeat of the failure is not reported twice.
      await post(statusDelivery({ wamid: 'wamid.OUT2', status: 'failed', at: service.clock.now(), errors }));
      await service.outbox.drain();
      expect(slack.posts('131047')).toHaveLength(1);
    });

    it('keeps quiet about a status for a message it does not know', async () => {
      const res = await post(statusDelivery({ wamid: 'wamid.NOBODY', status: 'delivered', at: service.clock.now() }));
      expect(res.status).toBe(200);
      await service.outbox.drain();
      expect(slack.calls).toEqual([]);
    });
  });

  it('shows a customer reaction on the message it reacts to', async () => {
    await post(textDelivery({ wamid: 'wamid.TARGET', at: service.clock.now(), body: 'look' }));
    await service.outbox.drain();
    const target = await MessageModel.findOne({ wamid: 'wamid.TARGET' });
    const reaction = envelope([
      messageValue([{ from: '6281200000001', id: 'wamid.REACT', timestamp: String(Math.floor(service.clock.now().getTime() / 1000)), type: 'reaction', reaction: { message_id: 'wamid.TARGET', emoji: '👍' } }]),
    ]);
    await post(reaction);
    await service.outbox.drain();
    expect(slack.of('reactions.add')).toEqual([expect.objectContaining({ channel: CHANNEL, timestamp: target?.slackTs, name: '+1' })]);
  });

  it("when Slack posted a message but its answer was lost, the retry finds it by its metadata and posts nothing more", async () => {
    // The customer's second message goes into the existing thread; Slack posts it, the answer is lost.
    await post(textDelivery({ wamid: 'wamid.FIRST', at: service.clock.now() }));
    await service.outbox.drain();
    slack.loseAnswer('chat.postMessage', { acted: true });
    await post(textDelivery({ wamid: 'wamid.SECOND', at: service.clock.now(), body: 'are you there?' }));
    await service.outbox.drain();
    expect(slack.posts('are you there?')).toHaveLength(1);

    service.clock.advance(2_000);
    await service.outbox.drain();
    // Found only because the lookup asks for include_all_metadata: Slack shows no metadata otherwise.
    const lookups = slack.of('conversations.replies');
    expect(lookups).toHaveLength(1);
    expect(lookups[0]).toMatchObject({ include_all_metadata: 'true' });
    expect(slack.posts('are you there?')).toHaveLength(1);
    expect(await OutboxModel.countDocuments({})).toBe(0);
  });

  describe("a customer's photo, shared into the thread once", () => {
    const sendPhoto = async () => {
      // Meta's example: an image with the caption "Taj Mahal". Downloadable twice, should a retry need it.
      nock(GRAPH_API).get('/1003383421387256').times(2).reply(200, { url: `${GRAPH}/media/blob/1`, mime_type: 'image/jpeg', id: '1003383421387256' });
      nock(GRAPH).get('/media/blob/1').times(2).reply(200, Buffer.from('jpeg-bytes'), { 'content-type': 'image/jpeg' });
      expect((await post(JSON.stringify(webhookExamples()['Image Message']))).status).toBe(200);
    };
    const shares = () => slack.of('files.completeUploadExternal');

    it('when Slack shared it but its answer was lost, the retry finds the file in the thread and shares nothing more', async () => {
      await sendPhoto();
      slack.loseAnswer('files.completeUploadExternal', { acted: true });
      await service.outbox.drain();
      expect(shares()).toHaveLength(1);
      expect(await OutboxModel.countDocuments({ state: 'pending' })).toBe(1);

      service.clock.advance(2_000);
      await service.outbox.drain();
      expect(shares()).toHaveLength(1);
      expect(slack.of('conversations.replies')).toHaveLength(1);
      expect(slack.uploads).toHaveLength(1);
      expect(await OutboxModel.countDocuments({})).toBe(0);
    });

    it('when the lost call never reached Slack, the retry uploads and shares it', async () => {
      await sendPhoto();
      slack.loseAnswer('files.completeUploadExternal', { acted: false });
      await service.outbox.drain();
      expect(shares()).toHaveLength(0);

      service.clock.advance(2_000);
      await service.outbox.drain();
      expect(shares()).toHaveLength(1);
      expect(slack.uploads).toHaveLength(2);
      const [shared] = shares();
      const message = await MessageModel.findOne({ type: 'image' });
      expect(shared?.files).toEqual([expect.objectContaining({ id: message?.slackFileId })]);
      expect(await OutboxModel.countDocuments({})).toBe(0);
    });

    it('when WhatsApp no longer has the media, the thread says so and nothing is uploaded or retried', async () => {
      // Meta answers an expired or unknown media ID with a GraphMethodException (#100), which no retry fixes.
      nock(GRAPH_API)
        .get('/1003383421387256')
        .reply(400, graphError(100, "Unsupported get request. Object with ID '1003383421387256' does not exist", { subcode: 33, type: 'GraphMethodException' }));
      expect((await post(JSON.stringify(webhookExamples()['Image Message']))).status).toBe(200);
      await service.outbox.drain();
      expect(shares()).toEqual([]);
      expect(slack.uploads).toEqual([]);
      const notice = slack.posts().find((p) => p.thread_ts !== undefined && String(p.text).includes('could not be downloaded from WhatsApp'));
      expect(notice).toBeDefined();
      expect(await OutboxModel.countDocuments({})).toBe(0);
    });

    it('a first attempt records the file before sharing it, and looks for nothing', async () => {
      await sendPhoto();
      await service.outbox.drain();
      const [shared] = shares();
      expect(shared?.files).toEqual([expect.objectContaining({ id: (await MessageModel.findOne({ type: 'image' }))?.slackFileId })]);
      expect(slack.of('conversations.replies')).toEqual([]);
    });
  });
});
