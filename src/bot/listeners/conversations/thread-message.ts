import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { acceptAgentMessage, type AgentMessage } from '../../../conversations/replies';
import type { Deps } from '../../../context';
import { slackUser } from '../../user';
import { accountOffEphemeral, windowClosedEphemeral } from '../../views/conversations';

// Plain messages, messages with files, and thread replies also sent to the channel; edits, joins etc. are not replies.
const REPLY_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast']);

const eventSchema = z.object({
  channel: z.string(),
  ts: z.string(),
  thread_ts: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  subtype: z.string().optional(),
  text: z.string().optional(),
  files: z
    .array(
      z.object({
        id: z.string(),
        name: z.string().optional(),
        mimetype: z.string().optional(),
        url_private_download: z.url().optional(),
        url_private: z.url().optional(),
      }),
    )
    .optional(),
});

// The workspace the event was delivered for; Slack names it on the envelope.
const envelopeSchema = z.object({ team_id: z.string().min(1) });

/** Reads what we need from a Slack message event; undefined for kinds of message that are never replies. */
export function agentMessageFrom(body: unknown, event: unknown): AgentMessage | undefined {
  const envelope = envelopeSchema.safeParse(body);
  const parsed = eventSchema.safeParse(event);
  if (!envelope.success || !parsed.success || !REPLY_SUBTYPES.has(parsed.data.subtype)) return undefined;
  const e = parsed.data;
  const files: AgentMessage['files'] = [];
  for (const f of e.files ?? []) {
    const url = f.url_private_download ?? f.url_private;
    if (url) files.push({ id: f.id, name: f.name ?? f.id, mimeType: f.mimetype ?? 'application/octet-stream', url });
  }
  return { teamId: envelope.data.team_id, channel: e.channel, ts: e.ts, threadTs: e.thread_ts, userId: e.user, botId: e.bot_id, text: e.text ?? '', files };
}

/** A message in a conversation thread: a reply for the customer, an internal note, or nothing (and the agent is told why). */
export function threadMessage(deps: Deps) {
  return async ({ body, event, client }: AllMiddlewareArgs & SlackEventMiddlewareArgs<'message'>): Promise<void> => {
    const message = agentMessageFrom(body, event);
    if (!message) return;
    const outcome = await acceptAgentMessage(deps, message);
    if (outcome.kind !== 'window_closed' && outcome.kind !== 'account_off') return;
    const userId = message.userId ?? '';
    const agent = await slackUser(client, deps, userId);
    const s = agent.t.conversations;
    const view =
      outcome.kind === 'window_closed'
        ? windowClosedEphemeral(s, { conversationId: outcome.conversationId, closesAt: outcome.closesAt, timeZone: agent.timeZone })
        : accountOffEphemeral(s, outcome.accountName);
    await client.chat.postEphemeral({
      channel: message.channel,
      user: userId,
      thread_ts: message.threadTs,
      text: view.text,
      blocks: view.blocks,
    });
  };
}
