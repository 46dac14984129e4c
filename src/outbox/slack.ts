import type { ChatPostMessageArguments, WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Deps } from '../context';
import { classifySlackError, NotYet, PermanentFailure } from './index';

/** The metadata event type that marks a post with the outbox key it delivers. */
export const OUTBOX_EVENT_TYPE = 'wadesk_outbox';

const history = z.object({
  messages: z
    .array(z.object({ ts: z.string(), metadata: z.object({ event_type: z.string(), event_payload: z.record(z.unknown()) }).optional() }))
    .optional(),
});

/**
 * chat.postMessage has no idempotency key. Each post carries its key as message
 * metadata; a delivery that may follow one which reached Slack (a retry, or a
 * take-over after a crash) first looks for that key in the thread or channel.
 * Posts take turns per channel (see ChannelPacer). Returns the message's ts.
 */
export async function postOnce(
  { slack, slackPacer }: Pick<Deps, 'slack' | 'slackPacer'>,
  message: ChatPostMessageArguments & { channel: string; thread_ts?: string },
  delivery: { key: string; uncertain: boolean },
): Promise<string | undefined> {
  waitTurn(slackPacer, message.channel, delivery.key);
  if (delivery.uncertain) {
    // A lookup Slack refuses (a DM addressed by user ID, a missing scope) must not stop the post;
    // Slack being down or rate limiting stops it, to be retried.
    const posted = await findPosted(slack, message.channel, message.thread_ts, delivery.key).catch((err: unknown) => {
      if (classifySlackError(err) instanceof PermanentFailure) return undefined;
      throw err;
    });
    if (posted) return posted;
  }
  const res = await slack.chat.postMessage({
    ...message,
    metadata: { event_type: OUTBOX_EVENT_TYPE, event_payload: { key: delivery.key } },
  });
  return res.ts;
}

/** Throws NotYet, for the outbox to come back later, when `channel` has had its share of posts for now. */
export function waitTurn(pacer: Deps['slackPacer'], channel: string, key: string): void {
  const waitMs = pacer.take(channel, key);
  if (waitMs > 0) throw new NotYet(`Slack channel ${channel} is paced`, waitMs);
}

async function findPosted(slack: WebClient, channel: string, threadTs: string | undefined, key: string): Promise<string | undefined> {
  const res = threadTs
    ? await slack.conversations.replies({ channel, ts: threadTs, include_all_metadata: true, limit: 200 })
    : await slack.conversations.history({ channel, include_all_metadata: true, limit: 100 });
  const parsed = history.safeParse(res);
  if (!parsed.success) return undefined;
  return parsed.data.messages?.find((m) => m.metadata?.event_type === OUTBOX_EVENT_TYPE && m.metadata.event_payload.key === key)?.ts;
}
