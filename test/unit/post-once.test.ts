import { WebClient } from '@slack/web-api';
import nock from 'nock';
import { createLogger } from '../../src/log';
import { NotYet, PermanentFailure, classifySlackError } from '../../src/outbox';
import { ChannelPacer } from '../../src/outbox/pacing';
import { OUTBOX_EVENT_TYPE, postOnce } from '../../src/outbox/slack';

const API = 'https://slack.test';
const client = new WebClient('xoxb-test', { slackApiUrl: `${API}/api/`, retryConfig: { retries: 0 } });
const logged: string[] = [];
const slack = { slack: client, slackPacer: new ChannelPacer({ perSecond: 1, burst: 100 }), logger: createLogger('error', (line) => logged.push(line)) };
/** nock hands over form bodies already parsed. */
const field = (body: unknown, name: string): string | undefined =>
  typeof body === 'object' && body !== null && name in body ? String(Object.entries(body).find(([k]) => k === name)?.[1]) : undefined;

describe('postOnce', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());

  it('marks the post with its outbox key and looks for nothing on a first attempt', async () => {
    let metadata: string | undefined;
    nock(API).post('/api/chat.postMessage', (body) => ((metadata = field(body, 'metadata')), true)).reply(200, { ok: true, ts: '1.000100' });
    expect(await postOnce(slack, { channel: 'C1', thread_ts: '1.0001', text: 'hi' }, { key: 'k1', uncertain: false })).toBe('1.000100');
    expect(JSON.parse(metadata ?? '{}')).toEqual({ event_type: OUTBOX_EVENT_TYPE, event_payload: { key: 'k1' } });
  });

  it('on an uncertain retry finds the post that did reach Slack and posts nothing', async () => {
    nock(API)
      .post('/api/conversations.replies', (body) => field(body, 'ts') === '1.0001' && field(body, 'include_all_metadata') === 'true')
      .reply(200, {
        ok: true,
        messages: [
          { ts: '1.0001', text: 'root' },
          { ts: '1.000200', text: 'other', metadata: { event_type: OUTBOX_EVENT_TYPE, event_payload: { key: 'k0' } } },
          { ts: '1.000300', text: 'hi', metadata: { event_type: OUTBOX_EVENT_TYPE, event_payload: { key: 'k1' } } },
        ],
      });
    const post = nock(API).post('/api/chat.postMessage').reply(200, { ok: true, ts: '9.9' });
    expect(await postOnce(slack, { channel: 'C1', thread_ts: '1.0001', text: 'hi' }, { key: 'k1', uncertain: true })).toBe('1.000300');
    expect(post.isDone()).toBe(false);
  });

  it('looks only at what came since the item was enqueued (with a margin for clock skew), page after page', async () => {
    const enqueuedAt = new Date('2026-12-01T08:00:00Z');
    const oldest = String(enqueuedAt.getTime() / 1000 - 300);
    const mark = (key: string) => ({ event_type: OUTBOX_EVENT_TYPE, event_payload: { key } });
    nock(API)
      .post('/api/conversations.replies', (body) => field(body, 'oldest') === oldest && field(body, 'cursor') === undefined)
      .reply(200, { ok: true, messages: [{ ts: '1.000200', metadata: mark('k0') }], response_metadata: { next_cursor: 'page2' } });
    nock(API)
      .post('/api/conversations.replies', (body) => field(body, 'oldest') === oldest && field(body, 'cursor') === 'page2')
      .reply(200, { ok: true, messages: [{ ts: '1.000300', metadata: mark('k6') }], response_metadata: { next_cursor: '' } });
    const post = nock(API).post('/api/chat.postMessage').reply(200, { ok: true, ts: '9.9' });
    expect(await postOnce(slack, { channel: 'C1', thread_ts: '1.0001', text: 'hi' }, { key: 'k6', uncertain: true, enqueuedAt })).toBe('1.000300');
    expect(post.isDone()).toBe(false);
  });

  it('posts when the channel history does not have it, or cannot be read', async () => {
    nock(API).post('/api/conversations.history').reply(200, { ok: true, messages: [{ ts: '1.1', text: 'someone else' }] });
    nock(API).post('/api/chat.postMessage').reply(200, { ok: true, ts: '2.2' });
    expect(await postOnce(slack, { channel: 'C1', text: 'hi' }, { key: 'k2', uncertain: true })).toBe('2.2');
    nock(API).post('/api/conversations.history').reply(200, { ok: false, error: 'channel_not_found' });
    nock(API).post('/api/chat.postMessage').reply(200, { ok: true, ts: '3.3' });
    expect(await postOnce(slack, { channel: 'U0USER', text: 'hi' }, { key: 'k3', uncertain: true })).toBe('3.3');
  });

  it("waits its channel's turn before asking Slack anything", async () => {
    const paced = { ...slack, slackPacer: new ChannelPacer({ perSecond: 1, burst: 1 }) };
    nock(API).post('/api/chat.postMessage').reply(200, { ok: true, ts: '4.4' });
    expect(await postOnce(paced, { channel: 'C2', text: 'first' }, { key: 'k4', uncertain: false })).toBe('4.4');
    const calls = nock(API).post(/.*/).reply(200, { ok: true, ts: '5.5' });
    const second = postOnce(paced, { channel: 'C2', text: 'second' }, { key: 'k5', uncertain: true });
    await expect(second).rejects.toBeInstanceOf(NotYet);
    await expect(second).rejects.toMatchObject({ waitMs: expect.any(Number) });
    expect(calls.isDone()).toBe(false);
  });

  it('posts the same words once as plain text when Slack refuses the blocks, and says so in the log', async () => {
    const sent: Record<string, string | undefined>[] = [];
    nock(API)
      .post('/api/chat.postMessage', (body) => (sent.push({ blocks: field(body, 'blocks'), text: field(body, 'text'), thread: field(body, 'thread_ts') }), true))
      .reply(200, { ok: false, error: 'invalid_blocks' })
      .post('/api/chat.postMessage', (body) => (sent.push({ blocks: field(body, 'blocks'), text: field(body, 'text'), thread: field(body, 'thread_ts') }), true))
      .reply(200, { ok: true, ts: '1.000200' });
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'x' } }];
    expect(await postOnce(slack, { channel: 'C1', thread_ts: '1.0001', text: 'Halo Kak, pesanan saya?', blocks }, { key: 'k9', uncertain: false })).toBe('1.000200');
    expect(sent).toEqual([
      { blocks: JSON.stringify(blocks), text: 'Halo Kak, pesanan saya?', thread: '1.0001' },
      { blocks: undefined, text: 'Halo Kak, pesanan saya?', thread: '1.0001' },
    ]);
    expect(logged.join('\n')).toContain('invalid_blocks');
  });

  it('does not fall back for a refusal that is not about blocks: the outbox sets it aside', async () => {
    nock(API).post('/api/chat.postMessage').reply(200, { ok: false, error: 'not_in_channel' });
    const failure = await postOnce(slack, { channel: 'C1', text: 'hi', blocks: [{ type: 'divider' }] }, { key: 'k10', uncertain: false }).catch((err: unknown) => classifySlackError(err));
    expect(failure).toBeInstanceOf(PermanentFailure);
    expect(failure instanceof PermanentFailure && failure.slackError).toBe('not_in_channel');
    expect(nock.isDone()).toBe(true);
  });
});
