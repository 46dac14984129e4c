import mongoose, { Types } from 'mongoose';
import { recordReply, upsertConversation } from '../../src/store/conversations';
import { recordInbound } from '../helpers/inbound';
import { setStatus } from '../../src/store/inbox';
import { accountFigures } from '../../src/store/metrics';
import { recordMetricEvent } from '../../src/store/metrics-events';
import { countSlaBreach } from '../../src/store/sla';
import { ConversationModel, MessageModel, MetricEventModel, WindowAlertModel, type ConversationDocument } from '../../src/store/models';
import { requireTestDbUri, uniqueDbName } from '../helpers/service';

/**
 * The metrics against a fixture whose answers are worked out by hand, through the same store calls
 * the service makes (a customer writes, an agent replies, resolves, the customer comes back), on the
 * suite's database: the embedded one, and MongoDB under `npm run test:mongodb`.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
const at = (iso: string) => new Date(iso);
const SPAN = { start: at('2026-01-01T00:00:00Z'), end: at('2026-01-08T00:00:00Z') };

let a: Types.ObjectId;
let b: Types.ObjectId;
let seq = 0;

async function conversation(accountId: Types.ObjectId, createdAt: Date, extra: Record<string, unknown> = {}): Promise<ConversationDocument> {
  const c = await upsertConversation({ accountId, customer: { phone: `62812${String(++seq).padStart(6, '0')}` }, profileName: `Customer ${seq}`, channelId: 'C0SALES' });
  await ConversationModel.collection.updateOne({ _id: c._id }, { $set: { createdAt, ...extra } });
  return (await ConversationModel.findById(c._id).lean())!;
}

async function message(accountId: Types.ObjectId, direction: 'inbound' | 'outbound', sentAt: Date, sender: string) {
  await MessageModel.create({
    key: `m${++seq}`,
    accountId,
    conversationId: new Types.ObjectId(),
    direction,
    type: 'text',
    text: 'x',
    sentAt,
    sender: { kind: direction === 'inbound' ? 'customer' : 'slack', id: sender },
  });
}

beforeAll(async () => {
  await mongoose.connect(requireTestDbUri(), { dbName: uniqueDbName() });
  await Promise.all([ConversationModel.init(), MessageModel.init(), MetricEventModel.init(), WindowAlertModel.init()]);
  a = new Types.ObjectId();
  b = new Types.ObjectId();

  // c1: answered by U1 in 5 minutes, resolved by U1 after 2 hours; the customer comes back and U2 answers in 20 minutes.
  let c1 = await conversation(a, at('2026-01-02T09:59:00Z'));
  c1 = (await recordInbound(c1, { at: at('2026-01-02T10:00:00Z'), preview: 'halo' }, [120, 30])).conversation;
  await recordReply(c1._id, at('2026-01-02T10:05:00Z'), 'U1');
  await recordReply(c1._id, at('2026-01-02T10:30:00Z'), 'U1');
  await setStatus(c1._id, 'resolved', at('2026-01-02T12:00:00Z'), undefined, 'U1');
  await setStatus(c1._id, 'open', at('2026-01-03T09:00:00Z'), ['pending', 'resolved']);
  await recordReply(c1._id, at('2026-01-03T09:20:00Z'), 'U2');

  // c2: U2 answers in 10 minutes and resolves after an hour; two response targets missed, one escalation retried.
  let c2 = await conversation(a, at('2026-01-04T08:00:00Z'), { assignee: 'U2' });
  for (const key of ['c2-first', 'c2-next', 'c2-next']) await countSlaBreach(c2, key, at('2026-01-04T08:20:00Z'));
  c2 = (await recordInbound(c2, { at: at('2026-01-04T08:00:00Z'), preview: 'order?' }, [120, 30])).conversation;
  await recordReply(c2._id, at('2026-01-04T08:10:00Z'), 'U2');
  await setStatus(c2._id, 'pending', at('2026-01-04T08:30:00Z'), undefined, 'U2');
  await setStatus(c2._id, 'resolved', at('2026-01-04T09:00:00Z'), undefined, 'U2');

  // c3: started before the period; U1 answers in 40 minutes; one target missed.
  let c3 = await conversation(a, at('2025-12-20T08:00:00Z'), { assignee: 'U1' });
  await countSlaBreach(c3, 'c3-next', at('2026-01-05T07:20:00Z'));
  c3 = (await recordInbound(c3, { at: at('2026-01-05T07:00:00Z'), preview: 'price?' }, [120, 30])).conversation;
  await recordReply(c3._id, at('2026-01-05T07:40:00Z'), 'U1');

  // c4: nobody answered; its window closed. A breach before the period is not counted.
  const c4 = await conversation(a, at('2026-01-06T08:00:00Z'));
  await recordInbound(c4, { at: at('2026-01-06T08:00:00Z'), preview: 'hello?' }, [120, 30]);
  await recordMetricEvent({ key: 'c4', kind: 'window_unanswered', accountId: a, conversationId: c4._id, at: at('2026-01-07T08:00:00Z') });
  await countSlaBreach(await conversation(a, at('2025-12-01T08:00:00Z'), { assignee: 'U1' }), 'old-first', at('2025-12-01T08:15:00Z'));

  // Outside the period, or another account's: not counted.
  await recordMetricEvent({ key: 'old', kind: 'first_response', accountId: a, conversationId: c1._id, at: at('2025-12-31T23:59:59Z'), agent: 'U1', ms: 999 * HOUR });
  await recordMetricEvent({ key: 'later', kind: 'resolved', accountId: a, conversationId: c1._id, at: SPAN.end, agent: 'U1', ms: 999 * HOUR });
  await recordMetricEvent({ key: 'b', kind: 'resolved', accountId: b, conversationId: c1._id, at: at('2026-01-03T00:00:00Z'), agent: 'U1', ms: HOUR });

  // Survey answers: 5 and 4 of 5; one recorded twice (a redelivery) counts once.
  for (const [key, score] of [['s1', 5], ['s2', 4], ['s2', 4]] as const) {
    await recordMetricEvent({ key, kind: 'csat', accountId: a, conversationId: c2._id, at: at('2026-01-04T10:00:00Z'), agent: 'U2', score, scale: 5 });
  }

  await message(a, 'inbound', at('2026-01-02T10:00:00Z'), '62812');
  await message(a, 'inbound', at('2026-01-04T08:00:00Z'), '62813');
  await message(a, 'inbound', at('2026-01-07T23:59:59Z'), '62814');
  await message(a, 'inbound', at('2025-12-31T23:59:59Z'), '62814');
  await message(a, 'outbound', at('2026-01-02T10:05:00Z'), 'U1');
  await message(a, 'outbound', at('2026-01-05T07:40:00Z'), 'U1');
  await message(a, 'outbound', at('2026-01-04T08:10:00Z'), 'U2');
  await message(b, 'outbound', at('2026-01-04T08:10:00Z'), 'U2');
});
afterAll(() => mongoose.disconnect());

describe('metrics for a period', () => {
  it('keep each round’s first response and resolution on the conversation', async () => {
    const [c1, c2] = await ConversationModel.find({ accountId: a }).sort({ createdAt: 1 }).skip(2).limit(2).lean();
    // Sorted by creation: the two from before the period come first.
    expect(c1).toMatchObject({ status: 'open', openedAt: at('2026-01-03T09:00:00Z'), firstResponseMs: 20 * MIN });
    expect(c1?.resolutionMs).toBeUndefined();
    expect(c2).toMatchObject({ status: 'resolved', firstResponseMs: 10 * MIN, resolutionMs: HOUR, resolvedAt: at('2026-01-04T09:00:00Z'), slaBreachCount: 2 });
  });

  it('count and summarise the account’s figures', async () => {
    const { accounts, partial } = await accountFigures([a, b], SPAN);
    expect(partial).toBe(false);
    const [fa, fb] = accounts;
    expect(fa?.total).toEqual({
      opened: 3,
      resolved: 2,
      reopened: 1,
      // 5, 10, 20, 40 minutes.
      firstResponse: { count: 4, medianMs: 10 * MIN, p90Ms: 40 * MIN },
      resolution: { count: 2, medianMs: HOUR, p90Ms: 2 * HOUR },
      slaBreaches: 3,
      windowsUnanswered: 1,
      messagesIn: 3,
      messagesOut: 3,
      csat: { count: 2, average: 4.5, distribution: [0, 0, 0, 1, 1] },
    });
    expect(fb?.total).toMatchObject({ opened: 0, resolved: 1, messagesOut: 1, messagesIn: 0 });
  });

  it('count each agent’s part', async () => {
    const [fa] = (await accountFigures([a], SPAN)).accounts;
    const byAgent = Object.fromEntries((fa?.agents ?? []).map((x) => [x.agent, x.figures]));
    expect(Object.keys(byAgent)).toEqual(['U1', 'U2']);
    expect(byAgent.U1).toMatchObject({ resolved: 1, firstResponse: { count: 2, medianMs: 5 * MIN, p90Ms: 40 * MIN }, resolution: { count: 1, medianMs: 2 * HOUR }, slaBreaches: 1, messagesOut: 2 });
    expect(byAgent.U2).toMatchObject({
      resolved: 1,
      firstResponse: { count: 2, medianMs: 10 * MIN, p90Ms: 20 * MIN },
      slaBreaches: 2,
      messagesOut: 1,
      csat: { count: 2, average: 4.5 },
    });
  });

  it('have nothing for accounts with nothing', async () => {
    const { accounts } = await accountFigures([new Types.ObjectId()], SPAN);
    expect(accounts[0]?.total).toMatchObject({ opened: 0, resolved: 0, messagesIn: 0, firstResponse: { count: 0 } });
    expect(accounts[0]?.agents).toEqual([]);
  });
});
