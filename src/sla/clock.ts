import { inboxStatus } from '../domain/inbox';
import { slaMoments, targetFor } from '../domain/sla';
import type { AccountDocument, ConversationDocument } from '../store/models';
import type { ClockStart } from '../store/sla';
import { slaSettingsOf } from './settings';

/**
 * The response target a customer's messages start (for `putSlaClocks`), when nobody has answered yet.
 * A target already running keeps counting from the customer's first unanswered message; one that
 * was met (a reply since), or belonged to a pending or resolved conversation, starts afresh.
 * `before` is the conversation as it was before these messages (its window, status and replies).
 */
export function slaClockStart(
  account: AccountDocument,
  before: Pick<ConversationDocument, '_id' | 'status' | 'lastReplyAt' | 'lastInboundAt'>,
  inboundAts: readonly Date[],
): ClockStart | undefined {
  const lastReplyAt = before.lastReplyAt ?? undefined;
  const unanswered = inboundAts.filter((at) => !lastReplyAt || at.getTime() > lastReplyAt.getTime()).sort((a, b) => a.getTime() - b.getTime());
  const [since] = unanswered;
  if (!since) return undefined;
  const status = inboxStatus(before.status);
  // Already waiting for a reply (an open conversation whose last message is unanswered): its target runs
  // from that earlier message. Decided from the conversation alone, so ingest reads nothing more for it.
  const lastInboundAt = before.lastInboundAt ?? undefined;
  const waiting = status === 'open' && lastInboundAt !== undefined && (!lastReplyAt || lastInboundAt.getTime() > lastReplyAt.getTime());
  if (waiting) return undefined;

  const settings = slaSettingsOf(account);
  const target = targetFor({ lastReplyAt, reopenedFromResolved: status === 'resolved' });
  const moments = slaMoments(settings.hours, settings.targets, since, target);
  // Past moments (a late delivery) are picked up by the next sweep; none: hours that never come.
  const nextCheckAt = moments.warnAt ?? moments.dueAt;
  return { conversationId: before._id, accountId: account._id, since, target, nextCheckAt };
}
