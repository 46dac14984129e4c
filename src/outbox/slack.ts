import type { ChatPostMessageArguments, WebClient } from '@slack/web-api';
import { z } from 'zod';
import { clamp, SLACK_LIMITS } from '../bot/views/limits';
import type { Deps } from '../context';
import { classifySlackError, NotYet, PermanentFailure, type DeliveryContext } from './index';

/** The metadata event type that marks a post with the outbox key it delivers. */
export const OUTBOX_EVENT_TYPE = 'wadesk_outbox';

const page = z.object({
  messages: z
    .array(
      z.object({
        ts: z.string(),
        metadata: z.object({ event_type: z.string(), event_payload: z.record(z.string(), z.unknown()) }).optional(),
        files: z.array(z.object({ id: z.string() })).optional(),
      }),
    )
    .optional(),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});
type Posted = NonNullable<z.infer<typeof page>['messages']>[number];

/** What an attempt that may follow one which reached Slack needs to look for that one's work. */
export type Lookup = Pick<DeliveryContext, 'key' | 'uncertain'> & Partial<Pick<DeliveryContext, 'enqueuedAt'>>;

/**
 * chat.postMessage has no idempotency key. Each post carries its key as message
 * metadata; a delivery that may follow one which reached Slack (a retry, or a
 * take-over after a crash) first looks for that key in the thread or channel.
 * Posts take turns per channel (see ChannelPacer). Blocks Slack refuses fall back to the
 * message's plain text. Returns the message's ts.
 */
export async function postOnce(
  { slack, slackPacer, logger }: Pick<Deps, 'slack' | 'slackPacer' | 'logger'>,
  message: ChatPostMessageArguments & { channel: string; thread_ts?: string },
  delivery: Lookup,
): Promise<string | undefined> {
  waitTurn(slackPacer, message.channel, delivery.key);
  if (delivery.uncertain) {
    const ours = (m: Posted) => m.metadata?.event_type === OUTBOX_EVENT_TYPE && m.metadata.event_payload.key === delivery.key;
    const posted = await findPosted(slack, message.channel, message.thread_ts, delivery, ours);
    if (posted) return posted.ts;
  }
  const metadata = { event_type: OUTBOX_EVENT_TYPE, event_payload: { key: delivery.key } };
  try {
    return (await slack.chat.postMessage({ ...message, metadata })).ts;
  } catch (err) {
    const refused = classifySlackError(err);
    const text = 'text' in message ? message.text : undefined;
    const hadBlocks = 'blocks' in message && (message.blocks?.length ?? 0) > 0;
    if (!(refused instanceof PermanentFailure && refused.slackError && BLOCK_FAULTS.has(refused.slackError) && hadBlocks && text)) throw err;
    // Slack refused our blocks, not the words: the same content once as plain text, so it still reaches the channel.
    logger.error('Slack refused the blocks of a message; posting it as plain text', { key: delivery.key, error: refused.slackError });
    const thread = message.thread_ts ? { thread_ts: message.thread_ts, reply_broadcast: 'reply_broadcast' in message && message.reply_broadcast === true } : {};
    return (await slack.chat.postMessage({ channel: message.channel, text: clamp(text, SLACK_LIMITS.messageText), unfurl_links: false, metadata, ...thread })).ts;
  }
}

/** Slack's answers to blocks it will never accept (the text alone may still go). */
export const BLOCK_FAULTS: ReadonlySet<string> = new Set(['invalid_blocks', 'invalid_blocks_format', 'invalid_arguments', 'msg_too_long', 'too_many_attachments']);

/** Throws NotYet, for the outbox to come back later, when `channel` has had its share of posts for now. */
export function waitTurn(pacer: Deps['slackPacer'], channel: string, key: string): void {
  const waitMs = pacer.take(channel, key);
  if (waitMs > 0) throw new NotYet(`Slack channel ${channel} is paced`, waitMs);
}

/** Whether file `fileId` went into the thread: how an upload that an earlier attempt may have shared is found. */
export async function fileShared(slack: WebClient, channel: string, threadTs: string, fileId: string, delivery: Lookup): Promise<boolean> {
  return (await findPosted(slack, channel, threadTs, delivery, (m) => m.files?.some((f) => f.id === fileId) === true)) !== undefined;
}

/** Pages of a thread (or a channel) read at most: a thread busier than that since the item was enqueued is not looked through. */
const LOOKUP_PAGES = 10;
/** Slack's clock and ours may differ: the lookup starts this much before the item was enqueued. */
const CLOCK_MARGIN_SECONDS = 300;

/**
 * The first message in the thread, or the channel without one, that `matches`, among those since the item
 * was enqueued. A lookup Slack refuses (a DM addressed by user ID, a missing scope) finds nothing, so the
 * work goes ahead; Slack being down or rate limiting stops it, to be retried.
 */
async function findPosted(slack: WebClient, channel: string, threadTs: string | undefined, { enqueuedAt }: Lookup, matches: (m: Posted) => boolean): Promise<Posted | undefined> {
  const oldest = enqueuedAt ? String(Math.floor(enqueuedAt.getTime() / 1000) - CLOCK_MARGIN_SECONDS) : undefined;
  let cursor: string | undefined;
  try {
    for (let n = 0; n < LOOKUP_PAGES; n++) {
      const args = { channel, include_all_metadata: true, ...(oldest ? { oldest } : {}), ...(cursor ? { cursor } : {}) };
      const res = threadTs ? await slack.conversations.replies({ ...args, ts: threadTs, limit: 200 }) : await slack.conversations.history({ ...args, limit: 100 });
      const parsed = page.safeParse(res);
      if (!parsed.success) return undefined;
      const found = parsed.data.messages?.find(matches);
      cursor = parsed.data.response_metadata?.next_cursor;
      if (found || !cursor) return found;
    }
  } catch (err) {
    if (classifySlackError(err) instanceof PermanentFailure) return undefined;
    throw err;
  }
  return undefined;
}
