import { ConnectionString } from 'mongodb-connection-string-url';
import mongoose, { Types, type mongo } from 'mongoose';
import { ingestDeliveries } from '../../src/conversations/ingest';
import { enqueue } from '../../src/outbox';
import { conversationLane } from '../../src/outbox/lanes';
import { recordInbounds, setThread, upsertConversation } from '../../src/store/conversations';
import { insertMessage, type NewMessage } from '../../src/store/messages';
import { ConversationModel, MessageModel, OutboxModel, SlaClockModel, WindowAlertModel, type AccountDocument } from '../../src/store/models';
import { putSlaClocks } from '../../src/store/sla';
import { putWindowAlerts } from '../../src/store/windows';
import type { InboundEvent } from '../../src/whatsapp/inbound';
import { PHONE_NUMBER_ID, createAccount } from '../fixtures/conversations';
import { requireTestDbUri, startTestService, type TestService } from '../helpers/service';

/**
 * What ingesting a message costs the database, and what the writes done by the driver
 * (not mongoose's `create`/`insertMany`) store: exactly what mongoose stored before.
 */
describe('ingest: round trips and stored documents', () => {
  let service: TestService;
  let account: AccountDocument;
  const commands: string[] = [];
  let counting = false;

  beforeAll(async () => {
    const uri = new ConnectionString(requireTestDbUri());
    uri.searchParams.set('monitorCommands', 'true');
    service = await startTestService({ MONGODB_URI: uri.toString() });
    account = await createAccount(service);
    mongoose.connection.getClient().on('commandStarted', (e: mongo.CommandStartedEvent) => {
      if (counting) commands.push(`${e.commandName} ${String(e.command[e.commandName])}`);
    });
  });
  afterAll(async () => {
    await service.stop();
  });

  /** One delivery's events, as the journal hands them over. */
  const ingest = (events: InboundEvent[]) => ingestDeliveries(service.deps, [{ account, events }]);

  let seq = 0;
  const text = (from: string, at: Date): InboundEvent => ({
    kind: 'message',
    message: { wamid: `wamid.RT${++seq}`, customer: { phone: from }, profileName: 'Budi', phoneNumberId: PHONE_NUMBER_ID, timestamp: at, content: { type: 'text', body: `hello ${seq}` } },
  });

  /** A customer who wrote two minutes before `t0` and has a thread. */
  async function warmCustomer(from: string, t0: number, threadTs: string) {
    await ingest([text(from, new Date(t0 - 120_000))]);
    const conversation = await upsertConversation({ accountId: account._id, customer: { phone: from }, channelId: account.channelId });
    await setThread(conversation._id, account.channelId, threadTs);
    return conversation;
  }

  it('ingests a warm customer’s text that moves the window in 5 round trips', async () => {
    const from = '6281200009999';
    const t0 = service.clock.now().getTime();
    const conversation = await warmCustomer(from, t0, '1700000000.000100');
    await ingest([text(from, new Date(t0 - 60_000))]);

    // An old stamp, so that the update's own shows (mongoose stamped with the wall clock, as the store does).
    await ConversationModel.collection.updateOne({ _id: conversation._id }, { $set: { updatedAt: new Date(0) } });
    const wallClock = Date.now();
    commands.length = 0;
    counting = true;
    const result = await ingest([text(from, new Date(t0))]);
    counting = false;
    const after = await ConversationModel.findById(conversation._id).lean();

    expect(result.stored).toBe(1);
    expect(commands).toEqual([
      'find conversations', // the customer's conversation, by its account and the number it was first seen by
      'insert messages', // unique by wamid
      'update windowalerts', // unless a later window's alerts are there
      'update conversations', // the window, moved only forward
      'insert outboxitems', // the thread post and the header refresh, in one insert
    ]);
    expect(await OutboxModel.countDocuments({ lane: conversationLane(conversation._id) })).toBeGreaterThan(0);
    // The window moved, and the update stamped the conversation as mongoose's timestamps did.
    expect(after?.windowClosesAt?.getTime()).toBe(t0 + 24 * 60 * 60_000);
    expect(after?.lastInboundPreview).toBe(`hello ${seq}`);
    expect(after?.updatedAt.getTime()).toBeGreaterThanOrEqual(wallClock);
  });

  it("ingests a warm customer's five waiting texts in 5 round trips: one conversation read, insert, window move and enqueue for all", async () => {
    const from = '6281200008888';
    const t0 = service.clock.now().getTime();
    const conversation = await warmCustomer(from, t0, '1700000000.000200');

    commands.length = 0;
    counting = true;
    // As the journal hands over a customer's waiting deliveries: their events, in arrival order.
    const result = await ingest([4, 3, 2, 1, 0].map((s) => text(from, new Date(t0 - s * 1000))));
    counting = false;

    expect(result.stored).toBe(5);
    expect(commands).toEqual([
      'find conversations',
      'insert messages',
      'update windowalerts',
      'update conversations',
      'insert outboxitems', // five thread posts and the header refresh
    ]);
    const queued = await OutboxModel.find({ lane: conversationLane(conversation._id) }).sort({ seq: 1 }).lean();
    expect(queued.map((q) => q.kind)).toEqual(['conversation.post', ...Array.from({ length: 5 }, () => 'conversation.post'), 'conversation.header']);
    expect((await ConversationModel.findById(conversation._id).lean())?.windowClosesAt?.getTime()).toBe(t0 + 24 * 60 * 60_000);
  });

  it('ingests many customers together at the cost of one: one read, insert, window move and enqueue for all', async () => {
    const t0 = service.clock.now().getTime();
    const customers = ['6281200007001', '6281200007002', '6281200007003', '6281200007004', '6281200007005', '6281200007006'];
    const warmed = await Promise.all(customers.map((from, n) => warmCustomer(from, t0, `1700000000.0003${n}0`)));

    /** Documents in each insert, by collection. */
    const inserted: Record<string, number[]> = {};
    const sizes = (e: mongo.CommandStartedEvent) => {
      if (e.commandName === 'insert' && Array.isArray(e.command.documents)) (inserted[String(e.command.insert)] ??= []).push(e.command.documents.length);
    };
    mongoose.connection.getClient().on('commandStarted', sizes);
    commands.length = 0;
    counting = true;
    // As the journal hands over what several customers have waiting: a delivery each.
    const result = await ingestDeliveries(service.deps, customers.map((from) => ({ account, events: [text(from, new Date(t0))] })));
    counting = false;
    mongoose.connection.getClient().off('commandStarted', sizes);

    expect(result.stored).toBe(customers.length);
    expect(commands).toEqual(['find conversations', 'insert messages', 'update windowalerts', 'update conversations', 'insert outboxitems']);
    expect(inserted.messages).toEqual([customers.length]);
    // Every window moved, and every message was queued for its thread.
    for (const conversation of warmed) {
      expect((await ConversationModel.findById(conversation._id).lean())?.windowClosesAt?.getTime()).toBe(t0 + 24 * 60 * 60_000);
      expect(await OutboxModel.countDocuments({ lane: conversationLane(conversation._id), kind: 'conversation.post' })).toBe(2);
    }
  });

  /** Outbound messages of the conversation, sent and shown in Slack: what a campaign's statuses are for. */
  async function sentMessages(conversationId: Types.ObjectId, prefix: string, count: number) {
    return Promise.all(
      Array.from({ length: count }, async (_, n) =>
        (
          await insertMessage({
            key: `rt:${prefix}:${n}`,
            accountId: account._id,
            conversationId,
            direction: 'outbound',
            wamid: `wamid.${prefix}${n}`,
            type: 'text',
            text: `offer ${n}`,
            sentAt: service.clock.now(),
            sender: { kind: 'slack', id: 'U0AGENT' },
            status: 'sent',
            slackChannelId: account.channelId,
            slackTs: `1700000500.${String(n).padStart(6, '0')}`,
          })
        ).message,
      ),
    );
  }
  const status = (wamid: string, value: string, recipient: { phone?: string; userId?: string }, errors: { code: number; title: string }[] = []): InboundEvent => ({
    kind: 'status',
    status: { wamid, status: value, timestamp: service.clock.now(), recipient, errors },
  });

  it("ingests a campaign's statuses in 3 round trips: one read of the messages, one guarded write, one enqueue", async () => {
    const from = '6281200004001';
    const conversation = await warmCustomer(from, service.clock.now().getTime(), '1700000000.000500');
    const sent = await sentMessages(conversation._id, 'CAMP', 20);
    const events = sent.flatMap((m) => [status(String(m.wamid), 'delivered', { phone: from }), status(String(m.wamid), 'read', { phone: from })]);
    events.push(
      status('wamid.CAMP0', 'failed', { phone: from }, [{ code: 131026, title: 'Message undeliverable' }]), // failed wins over read
      status('wamid.CAMP1', 'delivered', { phone: from }), // stale: already read
      status('wamid.NOBODY', 'delivered', { phone: from }), // not ours
    );

    commands.length = 0;
    counting = true;
    const result = await ingest(events);
    counting = false;

    expect(result).toMatchObject({ statuses: 41, unknownStatuses: 2 });
    expect(commands).toEqual(['find messages', 'update messages', 'insert outboxitems']);
    const stored = await MessageModel.find({ _id: { $in: sent.map((m) => m._id) } }).lean();
    expect(stored.filter((m) => m.status === 'read')).toHaveLength(19);
    expect(stored.find((m) => m.wamid === 'wamid.CAMP0')).toMatchObject({ status: 'failed', error: { code: 131026, meaning: expect.any(String) } });
    // A reaction for each status applied, in the conversation's lane, and the failure's notice in its thread.
    const queued = await OutboxModel.find({ lane: conversationLane(conversation._id), _id: /^slack-(status|failed):/ }).sort({ seq: 1 }).lean();
    expect(queued.filter((q) => q.kind === 'conversation.react')).toHaveLength(41);
    expect(queued.filter((q) => q._id.startsWith('slack-failed:'))).toHaveLength(1);
    expect(queued.filter((q) => q._id.startsWith(`slack-status:${String(sent[1]?._id)}:`)).map((q) => q._id.split(':')[2])).toEqual(['delivered', 'read']);
  });

  it('learns the BSUID a status names, and applies again one by one the statuses of a message another writer moved meanwhile', async () => {
    const from = '6281200004002';
    const conversation = await warmCustomer(from, service.clock.now().getTime(), '1700000000.000600');
    const [raced, calm] = await sentMessages(conversation._id, 'RACE', 2);
    if (!raced || !calm) throw new Error('no messages');
    // Another writer (a status handled elsewhere) moves one message between the read and the write.
    const write = MessageModel.bulkWrite.bind(MessageModel);
    const spy = jest.spyOn(MessageModel, 'bulkWrite').mockImplementationOnce(async (...args: Parameters<typeof write>) => {
      await MessageModel.updateOne({ _id: raced._id }, { $set: { status: 'read' } });
      return write(...args);
    });
    try {
      const recipient = { phone: from, userId: 'ID.4002' };
      const result = await ingest([status('wamid.RACE0', 'delivered', recipient), status('wamid.RACE1', 'delivered', recipient)]);
      expect(result).toMatchObject({ statuses: 1, unknownStatuses: 1 });
    } finally {
      spy.mockRestore();
    }
    // The raced message stays read (delivered would move it back); the other moved; the customer's BSUID is known.
    expect((await MessageModel.findById(raced._id).lean())?.status).toBe('read');
    expect((await MessageModel.findById(calm._id).lean())?.status).toBe('delivered');
    expect((await ConversationModel.findById(conversation._id).lean())?.userId).toBe('ID.4002');
    expect(await OutboxModel.countDocuments({ _id: `slack-status:${String(raced._id)}:delivered` })).toBe(0);
    expect(await OutboxModel.countDocuments({ _id: `slack-status:${String(calm._id)}:delivered` })).toBe(1);
  });

  it('opens the conversations of new customers in one insert, and one conversation for a customer seen by number and by BSUID in the same batch', async () => {
    const t0 = service.clock.now().getTime();
    const fresh = ['6281200005001', '6281200005002', '6281200005003'];
    const both: InboundEvent = {
      kind: 'message',
      message: { wamid: `wamid.RT${++seq}`, customer: { phone: '6281200005004', userId: 'ID.5004' }, phoneNumberId: PHONE_NUMBER_ID, timestamp: new Date(t0), content: { type: 'text', body: 'by BSUID' } },
    };
    const inserts: number[] = [];
    const sizes = (e: mongo.CommandStartedEvent) => {
      if (e.commandName === 'insert' && e.command.insert === 'conversations' && Array.isArray(e.command.documents)) inserts.push(e.command.documents.length);
    };
    mongoose.connection.getClient().on('commandStarted', sizes);
    const result = await ingestDeliveries(service.deps, [...fresh, '6281200005004'].map((from) => ({ account, events: [text(from, new Date(t0))] })).concat([{ account, events: [both] }]));
    mongoose.connection.getClient().off('commandStarted', sizes);

    expect(result.stored).toBe(5);
    // The three together; the customer seen twice, once (the second finds what the first created).
    expect(inserts).toEqual([3, 1]);
    for (const from of fresh) expect(await ConversationModel.countDocuments({ accountId: account._id, waId: from })).toBe(1);
    const theirs = await ConversationModel.find({ accountId: account._id, $or: [{ waId: '6281200005004' }, { waId: 'ID.5004' }, { userId: 'ID.5004' }] }).lean();
    expect(theirs).toHaveLength(1);
    expect(await MessageModel.countDocuments({ conversationId: theirs[0]?._id })).toBe(2);
  });

  it('reads back the windows that another writer moved further meanwhile, and reports only its own moves', async () => {
    const t0 = service.clock.now().getTime();
    const [mine, theirs] = await Promise.all(['6281200006001', '6281200006002'].map((from, n) => warmCustomer(from, t0, `1700000000.0004${n}0`)));
    if (!mine || !theirs) throw new Error('no conversations');
    // Between our read and our write, another writer moved one window past the message we bring.
    const read = await ConversationModel.find({ _id: { $in: [mine._id, theirs._id] } }).lean();
    await ConversationModel.updateOne({ _id: theirs._id }, { $set: { windowClosesAt: new Date(t0 + 25 * 60 * 60_000) } });
    const recorded = await recordInbounds(read.map((conversation) => ({ conversation, inbounds: [{ at: new Date(t0), preview: 'hi' }] })), [120]);

    const byId = new Map(recorded.map((r) => [String(r.conversation._id), r]));
    expect(byId.get(String(mine._id))?.moves).toEqual([{ moved: true, reopened: false }]);
    expect(byId.get(String(theirs._id))?.moves).toEqual([{ moved: false, reopened: false }]);
    expect(byId.get(String(theirs._id))?.conversation.windowClosesAt?.getTime()).toBe(t0 + 25 * 60 * 60_000);
    expect(byId.get(String(mine._id))?.conversation.windowClosesAt?.getTime()).toBe(t0 + 24 * 60 * 60_000);
  });

  it('returns the moved conversations as stored, without reading them back, and leaves what it was given as read', async () => {
    const t0 = service.clock.now().getTime();
    const warm = await Promise.all(['6281200006101', '6281200006102'].map((from, n) => warmCustomer(from, t0, `1700000000.0005${n}0`)));
    const read = await ConversationModel.find({ _id: { $in: warm.map((c) => c._id) } }).sort({ _id: 1 }).lean();
    const before = structuredClone(read);
    commands.length = 0;
    counting = true;
    // The first customer's two messages, out of order; the second's one, earlier than the window they had.
    const recorded = await recordInbounds(
      read.map((conversation, n) => ({
        conversation,
        inbounds: n === 0 ? [{ at: new Date(t0), preview: 'later' }, { at: new Date(t0 - 30_000), preview: 'earlier' }] : [{ at: new Date(t0 + 5_000), preview: 'hi' }],
      })),
      [120],
    );
    counting = false;

    expect(commands).toEqual(['update windowalerts', 'update conversations']);
    const stored = await ConversationModel.find({ _id: { $in: warm.map((c) => c._id) } }).sort({ _id: 1 }).lean();
    expect(recorded.map((r) => r.conversation)).toEqual(stored);
    expect(stored[0]?.lastInboundPreview).toBe('later');
    expect(read).toEqual(before);
  });

  /** Both stored documents as the driver reads them back, without what must differ. */
  async function storedPair(collection: string, a: string | Types.ObjectId, b: string | Types.ObjectId, differing: string[]) {
    const coll = mongoose.connection.getClient().db(mongoose.connection.name).collection<{ _id: string | Types.ObjectId; [field: string]: unknown }>(collection);
    const [x, y] = await Promise.all([coll.findOne({ _id: a }), coll.findOne({ _id: b })]);
    if (!x || !y) throw new Error(`${collection}: a document is missing`);
    const without = (d: Record<string, unknown>) => Object.fromEntries(Object.entries(d).filter(([k]) => !differing.includes(k)));
    return { ours: without(x), mongoose: without(y), raw: [x, y] as const };
  }

  // Undefined values, empty objects (alone, nested, in arrays), nulls, dates: what mongoose's minimize and copy decide.
  const awkward = () => ({
    type: 'text',
    body: 'x',
    gone: undefined,
    empty: {},
    nested: { deep: {}, deeper: { undef: undefined }, keep: 1, none: null },
    list: [{}, { undef: undefined, empty: {} }, undefined, null, 'x', { a: 1 }],
    at: new Date('2026-01-05T03:00:00Z'),
  });

  it('stores a message as MessageModel.create did (the same fields and values)', async () => {
    const input = (key: string): NewMessage => ({
      key,
      accountId: account._id,
      conversationId: new Types.ObjectId(),
      direction: 'outbound',
      type: 'text',
      text: undefined,
      content: awkward(),
      sentAt: new Date('2026-01-05T03:00:00Z'),
      sender: { kind: 'slack', id: 'U0AGENT' },
      status: 'pending',
      slackChannelId: 'C0SALES',
      slackTs: '1700000000.000200',
    });
    const { message, created } = await insertMessage(input('slack:C0SALES:ours'));
    expect(created).toBe(true);
    const theirs = await MessageModel.create(input('slack:C0SALES:mongoose'));
    const { ours, mongoose: expected, raw } = await storedPair('messages', message._id, theirs._id, ['_id', 'key', 'conversationId', 'createdAt', 'updatedAt']);
    expect(ours).toEqual(expected);
    expect(Object.keys(raw[0]).sort()).toEqual(Object.keys(raw[1]).sort());
    expect(raw[0].createdAt).toBeInstanceOf(Date);
    expect(raw[0].updatedAt).toEqual(raw[0].createdAt);
    expect(ours).not.toHaveProperty('text');
    expect(ours.content).toEqual({ type: 'text', body: 'x', nested: { keep: 1, none: null }, list: [{}, {}, null, null, 'x', { a: 1 }], at: new Date('2026-01-05T03:00:00Z') });

    // A second insert of the key still answers with the stored message.
    const again = await insertMessage(input('slack:C0SALES:ours'));
    expect(again.created).toBe(false);
    expect(String(again.message._id)).toBe(String(message._id));
  });

  it('stores outbox items exactly as OutboxModel.insertMany did', async () => {
    const now = service.clock.now();
    await enqueue([{ key: 'rt:ours', lane: 'rt-lane', kind: 'rt.kind', payload: awkward() }], now);
    await OutboxModel.insertMany(
      [{ _id: 'rt:mongoose', lane: 'rt-lane', kind: 'rt.kind', payload: awkward(), seq: 1, state: 'pending', attempts: 0, nextAttemptAt: now }],
      { ordered: false },
    );
    const { ours, mongoose: expected, raw } = await storedPair('outboxitems', 'rt:ours', 'rt:mongoose', ['_id', 'seq', 'createdAt', 'updatedAt']);
    expect(ours).toEqual(expected);
    expect(Object.keys(raw[0])).toEqual(Object.keys(raw[1]));
    expect(raw[0].updatedAt).toEqual(raw[0].createdAt);
    // A key enqueued again is ignored, as before.
    await expect(enqueue([{ key: 'rt:ours', lane: 'rt-lane', kind: 'rt.kind', payload: { other: 1 } }], now)).resolves.toBeUndefined();
    expect((await OutboxModel.findById('rt:ours').lean())?.payload).toEqual(expected.payload);
  });

  it('stores window alerts as mongoose’s create did (the same fields and values)', async () => {
    const conversation = { _id: new Types.ObjectId(), accountId: account._id, waId: '62811', profileName: 'Ani', channelId: 'C0SALES', threadTs: undefined };
    const progress = { warnedThresholds: [120], closedNotified: false, nextAlertAt: new Date('2026-01-06T01:00:00Z') };
    await putWindowAlerts([{ conversation, closesAt: new Date('2026-01-06T03:00:00Z'), progress }]);
    const theirs = await WindowAlertModel.create({
      _id: new Types.ObjectId(),
      accountId: account._id,
      waId: '62811',
      profileName: 'Ani',
      channelId: 'C0SALES',
      closesAt: new Date('2026-01-06T03:00:00Z'),
      ...progress,
    });
    const alerts = await storedPair('windowalerts', conversation._id, theirs._id, ['_id']);
    expect(alerts.ours).toEqual(alerts.mongoose);
    expect(Object.keys(alerts.raw[0]).sort()).toEqual(Object.keys(alerts.raw[1]).sort());
  });

  it('stores SLA clocks as mongoose’s create did (the same fields and values)', async () => {
    const start = { accountId: account._id, since: new Date('2026-01-06T03:00:00Z'), target: 'first' as const, nextCheckAt: new Date('2026-01-06T03:30:00Z') };
    const ours = new Types.ObjectId();
    await putSlaClocks([{ conversationId: ours, ...start }]);
    const theirs = await SlaClockModel.create({ _id: new Types.ObjectId(), ...start });
    const clocks = await storedPair('slaclocks', ours, theirs._id, ['_id']);
    expect(clocks.ours).toEqual(clocks.mongoose);
    expect(Object.keys(clocks.raw[0]).sort()).toEqual(Object.keys(clocks.raw[1]).sort());
  });
});
