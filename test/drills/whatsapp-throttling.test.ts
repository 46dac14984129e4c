/**
 * Drill: agents' replies meet WhatsApp throttling (130429, 131056) and 5xx, and
 * are retried with backoff until delivered; a permanent error is reported once and never retried.
 */
import nock from 'nock';
import { acceptAgentMessage } from '../../src/conversations/replies';
import { MessageModel } from '../../src/store/models';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server';
import { startTestService, type TestService } from '../helpers/service';
import { CHANNEL_ID, cloudTextWebhook, PHONE_NUMBER_ID, postWebhook, seedServiceAccount, wamid, type SeededAccount } from './support';

const GRAPH = 'https://graph.facebook.test';
const SEND_PATH = `/v23.0/${PHONE_NUMBER_ID}/messages`;

type Answer = [status: number, body: Record<string, unknown> | string];
const graphError = (code: number, message: string): Answer => [400, { error: { message, type: 'OAuthException', code, fbtrace_id: 'AbCdEf' } }];
const accepted = (id: string): Answer => [200, { messaging_product: 'whatsapp', contacts: [{ input: '6281200000009', wa_id: '6281200000009' }], messages: [{ id }] }];

describe('drill: WhatsApp throttling on replies', () => {
  let slack: FakeSlack;
  let service: TestService;
  let account: SeededAccount;
  let rootTs: string;
  let sendCalls: number;
  let answers: Answer[];

  beforeAll(async () => {
    slack = await startFakeSlack();
    service = await startTestService({ SLACK_API_URL: slack.apiUrl });
    account = await seedServiceAccount(service, { apiUrl: `${GRAPH}/v23.0` });
    // The customer writes first, so there is an open window and a thread to reply in.
    const now = Math.floor(service.clock.now().getTime() / 1000);
    const body = cloudTextWebhook([{ wamid: wamid('in'), from: '6281200000009', body: 'Is my order shipped?', timestamp: now }]);
    expect((await postWebhook(service.url, account.id, body)).status).toBe(200);
    await service.journal.drain();
    await service.outbox.drain();
    const root = slack.posts().find((c) => c.args.thread_ts === undefined);
    if (!root?.ts) throw new Error('the conversation thread was not opened');
    rootTs = root.ts;
  });
  afterAll(async () => {
    await service?.stop();
    await slack?.stop();
    nock.cleanAll();
  });
  beforeEach(() => {
    sendCalls = 0;
    answers = [];
    nock(GRAPH)
      .persist()
      .post(SEND_PATH)
      .reply(() => {
        sendCalls++;
        return answers.shift() ?? [500, { error: { message: 'no answer scripted', code: 1 } }];
      });
  });
  afterEach(() => nock.cleanAll());

  let tsCounter = 0;
  async function agentReplies(text: string): Promise<string> {
    tsCounter++;
    const outcome = await acceptAgentMessage(service.deps, {
      teamId: 'T0001',
      channel: CHANNEL_ID,
      ts: `1767000500.0000${tsCounter}`,
      threadTs: rootTs,
      userId: 'U0AGENT',
      text,
      files: [],
    });
    if (outcome.kind !== 'queued' || !outcome.messageIds[0]) throw new Error(`the reply was not queued: ${outcome.kind}`);
    return outcome.messageIds[0];
  }

  it('retries 130429, 131056 and a 503 with growing backoff, then delivers once', async () => {
    answers = [graphError(130429, 'Rate limit hit'), graphError(131056, 'Pair rate limit hit'), [503, 'Service Unavailable'], accepted('wamid.out.1')];
    const messageId = await agentReplies('Yes, it left this morning');

    await service.outbox.drain();
    expect(sendCalls).toBe(1);
    // Each retry waits its backoff (1 s, 2 s, 4 s): not a moment earlier.
    for (const [backoff, callsAfter] of [[1_000, 2], [2_000, 3], [4_000, 4]] as const) {
      service.clock.advance(backoff - 1);
      await service.outbox.drain();
      expect(sendCalls).toBe(callsAfter - 1);
      service.clock.advance(1);
      await service.outbox.drain();
      expect(sendCalls).toBe(callsAfter);
    }
    const message = await MessageModel.findById(messageId);
    expect(message).toMatchObject({ status: 'sent', wamid: 'wamid.out.1' });

    service.clock.advance(10 * 60_000);
    await service.outbox.drain();
    expect(sendCalls).toBe(4);
    expect(slack.callsOf('reactions.add').some((c) => c.args.timestamp === message?.slackTs)).toBe(true);
  });

  it('reports a permanent error once in the thread and never retries it', async () => {
    answers = [graphError(131026, 'Message undeliverable')];
    const postsBefore = slack.posts().length;
    const messageId = await agentReplies('Here is your invoice');

    await service.outbox.drain();
    for (let i = 0; i < 5; i++) {
      service.clock.advance(10 * 60_000);
      await service.outbox.drain();
    }
    expect(sendCalls).toBe(1);
    const message = await MessageModel.findById(messageId);
    expect(message).toMatchObject({ status: 'failed', error: { code: 131026 } });
    const reports = slack.posts().slice(postsBefore);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.args.thread_ts).toBe(rootTs);
    expect(JSON.stringify(reports[0]?.args)).toMatch(/131026/);
  });
});
