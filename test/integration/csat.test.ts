import nock from 'nock';
import { INBOX_ACTIONS } from '../../src/bot/views/inbox';
import { ConversationModel, MetricEventModel, AccountModel, type AccountDocument, type ConversationDocument } from '../../src/store/models';
import { sendOk } from '../fakes/whatsapp-contract';
import { clearConversations, createAccount, envelope, messageValue, postWebhook, sender, textDelivery, unix, GRAPH_API, PHONE_NUMBER_ID } from '../fixtures/conversations';
import { AGENT, slackSuite } from './templates-harness';

/**
 * The satisfaction survey: sent when a conversation is resolved inside its 24-hour window, never
 * at or after the close (chatwoot#10191), as buttons for three answers and a list for more; the
 * customer's tap lands in the thread and the metrics without reopening the conversation.
 */

const HOUR = 60 * 60 * 1000;
const CUSTOMER = '6281200000088';
const WROTE = new Date('2026-01-05T03:00:00Z');
const CLOSES = new Date(WROTE.getTime() + 24 * HOUR);
const suite = slackSuite(WROTE);
let account: AccountDocument;
let conversation: ConversationDocument;
let seq = 0;
const sent: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  account = await createAccount(suite.service, { csat: { question: 'Bagaimana layanan kami? 🙏', options: ['Buruk', 'Cukup', 'Bagus'] } });
});
beforeEach(async () => {
  await clearConversations();
  await MetricEventModel.deleteMany({});
  sent.length = 0;
  nock(GRAPH_API)
    .persist()
    .post(`/${PHONE_NUMBER_ID}/messages`, (b: Record<string, unknown>) => (sent.push(b), true))
    .reply(200, () => sendOk(`wamid.CSAT${++seq}`, CUSTOMER));
  const res = await postWebhook(suite.service, String(account._id), textDelivery({ wamid: `wamid.IN${++seq}`, from: CUSTOMER, name: 'Sari', at: WROTE, body: 'pesanan saya?' }));
  expect(res.status).toBe(200);
  await suite.service.outbox.drain();
  const found = await ConversationModel.findOne({}).lean();
  if (!found?.threadTs) throw new Error('no thread');
  conversation = found;
  suite.slack.clear();
});

async function resolveAt(at: Date): Promise<void> {
  suite.service.clock.set(at);
  const res = await suite.slack.click(AGENT, INBOX_ACTIONS.resolve, String(conversation._id));
  expect(res.status).toBe(200);
  await suite.service.slackSettled();
  await suite.service.outbox.drain();
}

const surveys = () => sent.filter((b) => b.type === 'interactive');

describe('the satisfaction survey', () => {
  it('goes as three reply buttons when resolved a second before the window closes, once, and the thread says so', async () => {
    await resolveAt(new Date(CLOSES.getTime() - 1000));
    expect(surveys()).toEqual([
      expect.objectContaining({
        to: CUSTOMER,
        interactive: {
          type: 'button',
          body: { text: 'Bagaimana layanan kami? 🙏' },
          action: { buttons: ['Buruk', 'Cukup', 'Bagus'].map((title, i) => ({ type: 'reply', reply: { id: `csat:${i + 1}`, title } })) },
        },
      }),
    ]);
    expect(suite.slack.posts().some((p) => p.params.thread_ts === conversation.threadTs && String(p.params.text).includes('Bagaimana layanan kami?'))).toBe(true);
    expect((await ConversationModel.findById(conversation._id))?.csatAskedAt).toBeTruthy();
  });

  it('is not sent when resolved as the window closes, nor after', async () => {
    await resolveAt(CLOSES);
    expect(surveys()).toEqual([]);
    await ConversationModel.updateOne({ _id: conversation._id }, { $set: { status: 'open' } });
    await resolveAt(new Date(CLOSES.getTime() + HOUR));
    expect(surveys()).toEqual([]);
  });

  it('is not sent when it waited in the outbox past the close', async () => {
    suite.service.clock.set(new Date(CLOSES.getTime() - 1000));
    await suite.slack.click(AGENT, INBOX_ACTIONS.resolve, String(conversation._id));
    await suite.service.slackSettled();
    suite.service.clock.set(CLOSES);
    await suite.service.outbox.drain();
    expect(surveys()).toEqual([]);
  });

  it('goes as a list for five answers, in the account’s language', async () => {
    await AccountModel.updateOne({ _id: account._id }, { $set: { locale: 'id', csat: { question: 'Seberapa puas?', options: ['1', '2', '3', '4', '5 sangat puas'] } } });
    try {
      await resolveAt(new Date(WROTE.getTime() + HOUR));
      const [survey] = surveys();
      expect(survey?.interactive).toEqual({
        type: 'list',
        body: { text: 'Seberapa puas?' },
        action: { button: 'Pilih', sections: [{ rows: ['1', '2', '3', '4', '5 sangat puas'].map((title, i) => ({ id: `csat:${i + 1}`, title })) }] },
      });
    } finally {
      await AccountModel.updateOne({ _id: account._id }, { $set: { locale: 'en', csat: { question: 'Bagaimana layanan kami? 🙏', options: ['Buruk', 'Cukup', 'Bagus'] } } });
    }
  });

  it('takes the customer’s tap into the thread and the metrics, keeping the conversation resolved', async () => {
    await resolveAt(new Date(WROTE.getTime() + HOUR));
    const at = new Date(WROTE.getTime() + 2 * HOUR);
    suite.service.clock.set(at);
    const answer = { ...sender({ from: CUSTOMER }), id: 'wamid.ANSWER1', timestamp: unix(at), type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'csat:3', title: 'Bagus' } } };
    const body = envelope([messageValue([answer], [{ waId: CUSTOMER, name: 'Sari' }])]);
    expect((await postWebhook(suite.service, String(account._id), body)).status).toBe(200);
    // Meta redelivers: counted once.
    expect((await postWebhook(suite.service, String(account._id), body)).status).toBe(200);
    await suite.service.outbox.drain();
    const after = await ConversationModel.findById(conversation._id).lean();
    expect(after).toMatchObject({ status: 'resolved', csatScore: 3 });
    const events = await MetricEventModel.find({ kind: 'csat' }).lean();
    expect(events).toEqual([expect.objectContaining({ score: 3, scale: 3, conversationId: conversation._id })]);
    expect(suite.slack.posts().some((p) => p.params.thread_ts === conversation.threadTs && JSON.stringify(p.params).includes('Bagus'))).toBe(true);
  });
});
