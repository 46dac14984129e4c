import { slackApi } from '../fakes/strict-slack';
import crypto from 'node:crypto';
import { WebClient } from '@slack/web-api';
import mongoose, { type Types } from 'mongoose';
import nock from 'nock';
import { loadConfig } from '../../src/config';
import type { Deps } from '../../src/context';
import { conversationOutboxHandlers } from '../../src/conversations/deliveries';
import { threadPostItems } from '../../src/conversations/threads';
import { createLogger } from '../../src/log';
import { OutboxWorker, enqueue } from '../../src/outbox';
import { ChannelPacer } from '../../src/outbox/pacing';
import { OUTBOX_EVENT_TYPE } from '../../src/outbox/slack';
import { SecretBox } from '../../src/security/secrets';
import { findAccountRecent } from '../../src/store/accounts';
import { AccountModel, ConversationModel, DeliveredModel, MessageModel, OutboxModel, type AccountDocument, type ConversationDocument } from '../../src/store/models';
import { CHANNEL, FakeSlack } from '../fixtures/conversations';
import { BOT_TOKEN, SLACK_API, TestClock, requireTestDbUri, uniqueDbName } from '../helpers/service';
import { UNPACED } from '../helpers/unpaced';
import { issuedToken } from '../fakes/whatsapp-contract';

const THREAD_TS = '1700000000.000100';
const LEASE_MS = 60_000;

/** `find claims {_id}`: the command, its collection, and the fields it filters on (the embedded database indexes `_id` alone). */
function label(name: string, command: Record<string, unknown>): string {
  const collection = command[name];
  const statements: unknown[] = [command.filter, ...[command.deletes, command.updates].flatMap((list: unknown) => (Array.isArray(list) ? list.map(queryOf) : []))];
  const fields = statements.flatMap((q) => (typeof q === 'object' && q !== null ? [`{${Object.keys(q).join(',')}}`] : []));
  return [name, typeof collection === 'string' ? collection : '', ...fields].filter(Boolean).join(' ');
}

function queryOf(statement: unknown): unknown {
  return typeof statement === 'object' && statement !== null && 'q' in statement ? statement.q : undefined;
}

/**
 * The outbox posting a customer's message into its conversation's Slack thread, against the
 * real handlers and database: what it costs the database, and that it still posts once when
 * a webhook is redelivered, a worker dies mid-delivery, or a takeover has to wait its turn.
 */
describe('the outbox posting into a Slack thread', () => {
  const clock = new TestClock();
  const slack = new FakeSlack();
  const commands: string[] = [];
  let pacerNow = 0;
  let deps: Deps;
  let account: AccountDocument;
  let conversation: ConversationDocument;

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect((host) => host.startsWith('127.0.0.1') || host.startsWith('localhost'));
    await mongoose.connect(requireTestDbUri(), { dbName: uniqueDbName(), monitorCommands: true });
    await Promise.all(Object.values(mongoose.models).map((model) => model.createIndexes()));
    mongoose.connection.getClient().on('commandStarted', (e) => commands.push(label(e.commandName, e.command)));
    const secrets = new SecretBox(crypto.randomBytes(32));
    const config = loadConfig({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: 'unused',
      SLACK_API_URL: `${SLACK_API}/api/`,
      MONGODB_URI: requireTestDbUri(),
      ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
      ...UNPACED,
    });
    deps = {
      config,
      clock,
      logger: createLogger('error', () => undefined),
      secrets,
      slack: new WebClient(BOT_TOKEN, { slackApiUrl: `${SLACK_API}/api/`, retryConfig: { retries: 0 } }),
      // Slack's pace, on a clock the tests move: one post a second, no burst.
      slackPacer: new ChannelPacer({ perSecond: 1, burst: 1 }, () => pacerNow),
    };
    account = await AccountModel.create({
      teamId: 'T0001',
      name: 'Sales',
      nameKey: 'sales',
      kind: 'cloud',
      apiUrl: 'https://graph.test/v23.0',
      tokenSealed: secrets.seal(issuedToken('token')),
      tokenHint: '…oken',
      phoneNumberId: '1065',
      verifyTokenSealed: secrets.seal('verify'),
      channelId: CHANNEL,
      createdBy: 'U0ADMIN',
    });
    conversation = (await ConversationModel.create({ accountId: account._id, waId: '62811', channelId: CHANNEL, threadTs: THREAD_TS })).toObject();
  });
  afterAll(async () => {
    nock.cleanAll();
    await mongoose.disconnect();
  });
  beforeEach(async () => {
    nock.cleanAll();
    slack.reset();
    await Promise.all([OutboxModel.deleteMany({}), DeliveredModel.deleteMany({}), MessageModel.deleteMany({})]);
    // Every test starts with the channel's turn free.
    pacerNow += 60_000;
  });

  const worker = () => new OutboxWorker(deps, conversationOutboxHandlers(deps), { leaseMs: LEASE_MS });

  async function storeMessage(text: string): Promise<Types.ObjectId> {
    const message = await MessageModel.create({
      key: `wamid.${text}`,
      wamid: `wamid.${text}`,
      accountId: account._id,
      conversationId: conversation._id,
      direction: 'inbound',
      type: 'text',
      text,
      sentAt: clock.now(),
      sender: { kind: 'customer', id: '62811' },
      status: 'received',
    });
    return message._id;
  }

  /** What ingest queues for a stored message: its thread post, keyed by the message. */
  async function enqueuePost(messageId: Types.ObjectId, text: string): Promise<string> {
    const items = threadPostItems({ key: `slack-post:${String(messageId)}`, conversationId: conversation._id, message: { text, blocks: [] }, messageId });
    await enqueue(items, clock.now());
    return items[0]?.key ?? '';
  }

  /** Slack's thread, as conversations.replies shows it, holding the post an earlier attempt made. */
  function threadHolding(key: string, ts: string): nock.Scope {
    return slackApi()
      .post('/api/conversations.replies')
      .reply(200, {
        ok: true,
        messages: [
          { ts: THREAD_TS, text: 'root' },
          { ts, text: 'posted before', metadata: { event_type: OUTBOX_EVENT_TYPE, event_payload: { key } } },
        ],
      });
  }

  it('costs a post into a thread already posted to six commands, all by _id but the pass, and leaves no lease behind', async () => {
    const outbox = worker();
    await enqueuePost(await storeMessage('warm-up'), 'warm-up');
    slack.install();
    await outbox.drain();

    const messageId = await storeMessage('measured');
    await enqueuePost(messageId, 'measured');
    // At any steady rate the account comes from its two-second cache.
    await findAccountRecent(String(account._id));
    pacerNow += 1_000;
    commands.length = 0;
    await outbox.drain();
    const measured = [...commands];

    expect(slack.posts('measured')).toHaveLength(1);
    expect(await MessageModel.findById(messageId)).toMatchObject({ slackChannelId: CHANNEL, slackTs: expect.any(String) });
    expect(await OutboxModel.countDocuments({ leaseOwner: { $exists: true } })).toBe(0);
    expect(measured.slice(0, 1)).toEqual(['find outboxitems {state}']); // the pass: what is due
    // The item leased by a guarded update, and whether its key was delivered before: at once.
    expect(measured.slice(1, 3).sort()).toEqual(['find outboxdelivereds {_id}', 'findAndModify outboxitems']);
    expect(measured.slice(3)).toEqual([
      // The thread is known from the warm-up's post: the conversation is not read again.
      'update messages {_id}', // the message's Slack ts
      'insert outboxdelivereds', // the tombstone
      'delete outboxitems {_id,leaseOwner}',
      'find outboxitems {state}', // the next pass: nothing left
    ]);
  });

  it('posts nothing, and asks Slack nothing, for a key a redelivered webhook enqueues after its delivery', async () => {
    const outbox = worker();
    const messageId = await storeMessage('redelivered');
    await enqueuePost(messageId, 'redelivered');
    slack.install();
    await outbox.drain();
    expect(slack.posts('redelivered')).toHaveLength(1);
    const calls = slack.calls.length;

    // The webhook again, after the item left the outbox: the same key is stored anew.
    await enqueuePost(messageId, 'redelivered');
    expect(await OutboxModel.countDocuments({})).toBe(1);
    commands.length = 0;
    await outbox.drain();

    expect(slack.calls).toHaveLength(calls);
    expect(await OutboxModel.countDocuments({})).toBe(0);
    expect(await OutboxModel.countDocuments({ leaseOwner: { $exists: true } })).toBe(0);
    // Settled by its tombstone, before the post handler reads anything.
    expect(commands.filter((c) => /conversations|messages/.test(c))).toEqual([]);
  });

  it('after a worker died between setting the Slack ts and the tombstone, the taker posts nothing again', async () => {
    const messageId = await storeMessage('died-after-ts');
    const key = await enqueuePost(messageId, 'died-after-ts');
    await OutboxModel.updateOne({ _id: key }, { $set: { leaseOwner: 'dead-worker', leaseUntil: new Date(clock.now().getTime() + LEASE_MS) } });
    await MessageModel.updateOne({ _id: messageId }, { $set: { slackChannelId: CHANNEL, slackTs: '1700000001.000100' } });
    slack.install();
    const outbox = worker();
    await outbox.drain();
    expect(await OutboxModel.countDocuments({})).toBe(1);

    clock.advance(LEASE_MS);
    await outbox.drain();
    expect(slack.calls).toEqual([]);
    expect(await DeliveredModel.exists({ _id: key })).toBeTruthy();
    expect(await OutboxModel.countDocuments({})).toBe(0);
    // Both turns, the dead worker's and the taker's, are forgotten.
    expect(await OutboxModel.countDocuments({ leaseOwner: { $exists: true } })).toBe(0);
  });

  it('after a worker died between posting and setting the Slack ts, the taker finds the post instead of posting again', async () => {
    const messageId = await storeMessage('died-after-post');
    const key = await enqueuePost(messageId, 'died-after-post');
    await OutboxModel.updateOne({ _id: key }, { $set: { leaseOwner: 'dead-worker', leaseUntil: new Date(clock.now().getTime() + LEASE_MS) } });
    const lookup = threadHolding(key, '1700000002.000100');
    slack.install();

    clock.advance(LEASE_MS);
    await worker().drain();
    expect(lookup.isDone()).toBe(true);
    expect(slack.posts()).toEqual([]);
    expect(await MessageModel.findById(messageId)).toMatchObject({ slackChannelId: CHANNEL, slackTs: '1700000002.000100' });
    expect(await OutboxModel.countDocuments({ leaseOwner: { $exists: true } })).toBe(0);
  });

  it('a takeover that has to wait for its channel still checks before posting when its turn comes', async () => {
    const messageId = await storeMessage('paced-takeover');
    const key = await enqueuePost(messageId, 'paced-takeover');
    await OutboxModel.updateOne({ _id: key }, { $set: { leaseOwner: 'dead-worker', leaseUntil: new Date(clock.now().getTime() + LEASE_MS) } });
    slack.install();
    // Someone else has just had the channel's turn.
    expect(deps.slackPacer.take(CHANNEL, 'someone-else')).toBe(0);

    clock.advance(LEASE_MS);
    const outbox = worker();
    await outbox.drain();
    expect(slack.calls).toEqual([]);
    // The same attempt, to come back at its turn; its claims are forgotten, its doubt is not.
    expect(await OutboxModel.findById(key)).toMatchObject({ attempts: 0, maybeDone: true });
    expect(await OutboxModel.countDocuments({ leaseOwner: { $exists: true } })).toBe(0);

    nock.cleanAll();
    const lookup = threadHolding(key, '1700000003.000100');
    slack.install();
    pacerNow += 1_000;
    clock.advance(1_000);
    await outbox.drain();
    expect(lookup.isDone()).toBe(true);
    expect(slack.posts()).toEqual([]);
    expect(await MessageModel.findById(messageId)).toMatchObject({ slackTs: '1700000003.000100' });
    expect(await OutboxModel.countDocuments({})).toBe(0);
  });
});
