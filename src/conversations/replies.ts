import { isRetired } from '../accounts/kind';
import { STATUS_REACTIONS } from '../bot/views/conversations';
import type { Deps } from '../context';
import { canReplyFreely } from '../domain/window';
import { enqueue, type EnqueueInput } from '../outbox';
import { conversationLane } from '../outbox/lanes';
import { findTeamThread } from '../accounts/team';
import { insertMessage, type NewMessage } from '../store/messages';
import type { AccountDocument, ConversationDocument } from '../store/models';
import type { SlackMessage } from '../bot/views/limits';
import { slackToWhatsAppText, splitText, WHATSAPP_LIMITS } from './format';
import type { OutboundContent } from './deliveries';
import { threadPostItems } from './threads';

export interface SlackFileRef {
  id: string;
  name: string;
  mimeType: string;
  url: string;
}

/** A message someone wrote in Slack, as the listener read it from the event. */
export interface AgentMessage {
  /** The workspace the event came from: only its own conversations are answered. */
  teamId: string;
  channel: string;
  ts: string;
  threadTs?: string;
  userId?: string;
  botId?: string;
  text: string;
  files: SlackFileRef[];
}

export type ReplyOutcome =
  | { kind: 'ignored'; reason: 'not_in_thread' | 'not_a_conversation' | 'from_bot' | 'empty' | 'duplicate' }
  | { kind: 'note'; messageId: string }
  | { kind: 'queued'; messageIds: string[] }
  | { kind: 'window_closed'; conversationId: string; closesAt?: Date }
  | { kind: 'account_off'; accountName: string };

/**
 * Decides what becomes of a message in a conversation thread: an internal note,
 * a reply queued for WhatsApp, or nothing (with the reason, for the agent).
 */
export async function acceptAgentMessage(deps: Deps, m: AgentMessage): Promise<ReplyOutcome> {
  if (m.botId || !m.userId) return { kind: 'ignored', reason: 'from_bot' };
  if (!m.threadTs || m.threadTs === m.ts) return { kind: 'ignored', reason: 'not_in_thread' };
  const found = await findTeamThread(m.teamId, m.channel, m.threadTs);
  if (!found) return { kind: 'ignored', reason: 'not_a_conversation' };
  const { account, conversation } = found;

  const now = deps.clock.now();
  const conversationId = String(conversation._id);
  const lane = conversationLane(conversationId);
  const base = {
    accountId: account._id,
    conversationId: conversation._id,
    sentAt: now,
    sender: { kind: 'slack' as const, id: m.userId },
    slackChannelId: m.channel,
    slackTs: m.ts,
  };

  // Checked first, so a note is never sent whatever state the account or window is in.
  const notePrefix = deps.config.notePrefix;
  if (m.text.trimStart().startsWith(notePrefix)) {
    const { message, created } = await insertMessage({
      ...base,
      key: `slack:${m.channel}:${m.ts}`,
      direction: 'note',
      type: 'note',
      text: m.text.trimStart().slice(notePrefix.length).trim(),
    });
    if (!created) return { kind: 'ignored', reason: 'duplicate' };
    await enqueue(
      [{ key: `slack-note:${String(message._id)}`, lane, kind: 'conversation.react', payload: { conversationId, targetMessageId: String(message._id), add: STATUS_REACTIONS.note, remove: [] } }],
      now,
    );
    return { kind: 'note', messageId: String(message._id) };
  }

  const refused = replyRefusal(account, conversation, now);
  if (refused) return refused;

  const body = slackToWhatsAppText(m.text);
  if (!body && m.files.length === 0) return { kind: 'ignored', reason: 'empty' };
  // The text goes with the first file as its caption when it fits one; otherwise as text messages of its own,
  // as many as WhatsApp's text limit needs, each under its own key so a retry sends none twice.
  const captioned = m.files.length > 0 && body.length <= WHATSAPP_LIMITS.caption;
  const parts: OutboundPart[] = (captioned || !body ? [] : splitText(body)).map((piece, i) => ({
    key: i === 0 ? `slack:${m.channel}:${m.ts}` : `slack:${m.channel}:${m.ts}:part${i + 1}`,
    type: 'text',
    text: piece,
    content: { kind: 'text', body: piece },
  }));
  m.files.forEach((file, i) => {
    const caption = i === 0 && captioned && body ? body : undefined;
    parts.push({
      key: `slack:${m.channel}:${m.ts}:${file.id}`,
      type: 'file',
      text: caption,
      content: { kind: 'file', file, ...(caption ? { caption } : {}) },
    });
  });

  return queueOutbound(base, parts, now);
}

/**
 * Free-form replies go out only from a connected, switched-on account, within the customer's 24-hour window;
 * a retired On-Premises account sends nothing until it is moved, as if switched off.
 */
function replyRefusal(account: AccountDocument, conversation: ConversationDocument, now: Date): ReplyOutcome | undefined {
  if (!account.enabled || account.state !== 'connected' || isRetired(account)) return { kind: 'account_off', accountName: account.name };
  const closesAt = conversation.windowClosesAt ?? undefined;
  if (!canReplyFreely(closesAt, now)) return { kind: 'window_closed', conversationId: String(conversation._id), closesAt };
  return undefined;
}

interface OutboundPart {
  key: string;
  type: string;
  text?: string;
  content: OutboundContent;
}

/**
 * Stores each part as a pending outbound message and queues its send in the conversation's lane,
 * after `before(messageId)` (e.g. showing it in the thread); a part stored before (a redelivery) is skipped.
 */
async function queueOutbound(
  base: Omit<NewMessage, 'key' | 'direction' | 'type'>,
  parts: readonly OutboundPart[],
  now: Date,
  before: (messageId: string) => EnqueueInput[] = () => [],
): Promise<ReplyOutcome> {
  const lane = conversationLane(base.conversationId);
  const items: EnqueueInput[] = [];
  const messageIds: string[] = [];
  for (const part of parts) {
    const { message, created } = await insertMessage({ ...base, key: part.key, direction: 'outbound', type: part.type, text: part.text, content: part.content, status: 'pending' });
    if (!created) continue;
    const messageId = String(message._id);
    messageIds.push(messageId);
    items.push(...before(messageId), { key: `whatsapp-send:${messageId}`, lane, kind: 'whatsapp.send', payload: { messageId } });
  }
  if (messageIds.length === 0) return { kind: 'ignored', reason: 'duplicate' };
  await enqueue(items, now);
  return { kind: 'queued', messageIds };
}

/**
 * A saved reply an agent sends from the modal: under the same rules as a typed reply, shown in the
 * thread as theirs (the post carries the message, so WhatsApp's delivery reactions land on it). `key`
 * makes a repeated submission of the same modal send once.
 */
export async function sendSavedReply(
  deps: Pick<Deps, 'clock'>,
  { account, conversation }: { account: AccountDocument; conversation: ConversationDocument },
  reply: { key: string; userId: string; text: string; shown: SlackMessage },
): Promise<ReplyOutcome> {
  const now = deps.clock.now();
  const refused = replyRefusal(account, conversation, now);
  if (refused) return refused;
  const body = reply.text.trim();
  if (!body) return { kind: 'ignored', reason: 'empty' };
  const conversationId = String(conversation._id);
  const base = { accountId: account._id, conversationId: conversation._id, sentAt: now, sender: { kind: 'slack' as const, id: reply.userId } };
  return queueOutbound(base, [{ key: reply.key, type: 'text', text: body, content: { kind: 'text', body } }], now, (messageId) =>
    threadPostItems({ key: `slack-saved:${messageId}`, conversationId, message: reply.shown, messageId }),
  );
}
