import { isRetired } from '../accounts/kind';
import { awayReplyView } from '../bot/views/sla';
import type { Deps } from '../context';
import { isOpen, nextOpening } from '../domain/business-hours';
import { canReplyFreely, windowClosesAt } from '../domain/window';
import { strings } from '../i18n';
import type { EnqueueInput } from '../outbox';
import { conversationLane } from '../outbox/lanes';
import { threadPostItems } from '../conversations/threads';
import { insertMessage } from '../store/messages';
import type { AccountDocument, ConversationDocument } from '../store/models';
import { slaSettingsOf } from './settings';

/** Who the away reply is from, on the stored message: wadesk itself, not an agent. */
export const AWAY_SENDER = { kind: 'wadesk' as const, id: 'away-reply' };

/**
 * The away reply to a customer who wrote outside business hours: stored as a pending outbound
 * message and sent through the same WhatsApp send path (and retries) as an agent's reply, after a
 * post in the thread that says wadesk sent it. Once per conversation per closed period: the message
 * key names the moment the team next opens, so redeliveries and further messages in that period
 * send nothing more. Only while the team is still closed, and only within the customer's 24-hour
 * window (it answers their message; the send handler checks the window again before sending).
 */
export async function awayReplyItems(
  deps: Pick<Deps, 'clock' | 'config'>,
  account: AccountDocument,
  conversation: Pick<ConversationDocument, '_id' | 'windowClosesAt'>,
  inboundAts: readonly Date[],
): Promise<EnqueueInput[]> {
  const settings = slaSettingsOf(account);
  const hours = settings.hours;
  const text = settings.awayReply;
  if (!hours || !text || !account.enabled || account.state !== 'connected' || isRetired(account)) return [];
  const now = deps.clock.now();
  const at = [...inboundAts].sort((a, b) => a.getTime() - b.getTime()).find((m) => !isOpen(hours, m));
  if (!at || isOpen(hours, now)) return [];
  // A message delivered after its own window closed is not answered freely.
  if (!canReplyFreely(windowClosesAt(at), now) || !canReplyFreely(conversation.windowClosesAt ?? undefined, now)) return [];

  const opensAt = nextOpening(hours, at);
  const period = opensAt ? String(opensAt.getTime()) : 'never';
  const conversationId = String(conversation._id);
  const { message, created } = await insertMessage({
    key: `away:${conversationId}:${period}`,
    accountId: account._id,
    conversationId: conversation._id,
    direction: 'outbound',
    type: 'text',
    text,
    content: { kind: 'text', body: text },
    sentAt: now,
    sender: AWAY_SENDER,
    status: 'pending',
  });
  if (!created) return [];
  const messageId = String(message._id);
  const shown = awayReplyView(strings(account.locale).sla, { text, ...(opensAt ? { opensAt } : {}), timeZone: deps.config.timeZone });
  return [
    ...threadPostItems({ key: `slack-away:${messageId}`, conversationId, message: shown, messageId }),
    { key: `whatsapp-send:${messageId}`, lane: conversationLane(conversationId), kind: 'whatsapp.send', payload: { messageId } },
  ];
}
