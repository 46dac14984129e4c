import { Types } from 'mongoose';
import { z } from 'zod';
import type { Actor } from '../accounts/team';
import { customerLabel, handedToYouView, reopenedForView } from '../bot/views/inbox';
import { slackUser } from '../bot/user';
import type { Deps } from '../context';
import { threadPostItems } from '../conversations/threads';
import { conversationLane } from '../outbox/lanes';
import { inboxStatus, reopensOnInbound, type InboxStatus } from '../domain/inbox';
import { strings } from '../i18n';
import { enqueue, parsePayload, type DeliveryContext, type EnqueueInput, type OutboxHandler } from '../outbox';
import { postOnce } from '../outbox/slack';
import { appendAudit } from '../store/audit';
import { findConversation } from '../store/conversations';
import { claimConversation, setAssignee, setStatus } from '../store/inbox';
import type { AccountDocument, ConversationDocument } from '../store/models';

/**
 * Running the inbox: claiming, handing over and resolving conversations. Callers have already
 * scoped the conversation to the requester's workspace (`src/accounts/team.ts`). Each change is
 * audited and refreshes the thread root through the outbox, in the conversation's lane.
 */

export type InboxChange = { kind: 'claim' } | { kind: 'assign'; to: string } | { kind: 'unassign' } | { kind: 'status'; status: InboxStatus };

export type InboxOutcome =
  | { kind: 'claimed' }
  | { kind: 'already_yours' }
  | { kind: 'taken'; holder: string }
  | { kind: 'assigned'; to: string }
  | { kind: 'unassigned' }
  | { kind: 'status'; status: InboxStatus }
  | { kind: 'unchanged' }
  | { kind: 'gone' };

export const INBOX_KINDS = { handed: 'inbox.handed' } as const;

interface Scoped {
  account: AccountDocument;
  conversation: ConversationDocument;
}

/** Applies one change by `actor`; the outcome says what came of it, for telling them. */
export async function changeInbox(deps: Pick<Deps, 'clock'>, actor: Actor, { account, conversation }: Scoped, change: InboxChange): Promise<InboxOutcome> {
  const now = deps.clock.now();
  const id = conversation._id;
  const audit = (action: string, before: Record<string, unknown>, after: Record<string, unknown>) =>
    appendAudit({ teamId: actor.teamId, actorId: actor.userId, action, subject: `conversation:${String(id)}`, accountId: String(account._id), before, after }, now);
  const items: EnqueueInput[] = [];
  let outcome: InboxOutcome;

  switch (change.kind) {
    case 'claim': {
      const claimed = await claimConversation(id, actor.userId, now);
      if (!claimed) return { kind: 'gone' };
      if (claimed.kind === 'taken') return { kind: 'taken', holder: claimed.holder };
      if (claimed.kind === 'already_yours') return { kind: 'already_yours' };
      await audit('conversation.claim', { assignee: null }, { assignee: actor.userId });
      outcome = { kind: 'claimed' };
      break;
    }
    case 'assign':
    case 'unassign': {
      const to = change.kind === 'assign' ? change.to : undefined;
      const set = await setAssignee(id, to, now);
      if (!set) return { kind: 'gone' };
      if (set === 'unchanged') return { kind: 'unchanged' };
      await audit(to ? 'conversation.assign' : 'conversation.unassign', { assignee: set.before ?? null }, { assignee: to ?? null });
      // Whoever is handed it by someone else hears of it; taking it oneself needs no DM.
      if (to && to !== actor.userId) items.push(handedItem(String(id), to, actor.userId, now));
      outcome = to ? { kind: 'assigned', to } : { kind: 'unassigned' };
      break;
    }
    case 'status': {
      const set = await setStatus(id, change.status, now);
      if (!set) return { kind: 'unchanged' };
      await audit('conversation.status', { status: set.before }, { status: change.status });
      outcome = { kind: 'status', status: change.status };
      break;
    }
  }
  await enqueue([...items, headerRefresh(String(id))], now);
  return outcome;
}

/** A chat.update of the root; each change has its own key, and the update shows the conversation as it is then. */
export function headerRefresh(conversationId: string): EnqueueInput {
  return { key: `slack-header:${conversationId}:inbox:${String(new Types.ObjectId())}`, lane: conversationLane(conversationId), kind: 'conversation.header', payload: { conversationId } };
}

function handedItem(conversationId: string, userId: string, by: string, now: Date): EnqueueInput {
  return {
    key: `inbox-handed:${conversationId}:${userId}:${now.getTime()}`,
    lane: conversationLane(conversationId),
    kind: INBOX_KINDS.handed,
    payload: { conversationId, userId, by },
  };
}

/**
 * The customer wrote again: a pending or resolved conversation opens again, the change is audited,
 * and its assignee is mentioned in the thread (not broadcast to the channel). Returns the Slack work
 * to queue after the message's own post; nothing for an open conversation, which is most of them.
 */
export async function reopenOnInbound(deps: Pick<Deps, 'clock'>, account: AccountDocument, conversation: ConversationDocument, messageKey: string): Promise<EnqueueInput[]> {
  if (!reopensOnInbound(inboxStatus(conversation.status))) return [];
  const now = deps.clock.now();
  const set = await setStatus(conversation._id, 'open', now, ['pending', 'resolved']);
  if (!set) return [];
  const conversationId = String(conversation._id);
  await appendAudit(
    { teamId: account.teamId, actorId: 'customer', action: 'conversation.reopen', subject: `conversation:${conversationId}`, accountId: String(account._id), before: { status: set.before }, after: { status: 'open' } },
    now,
  );
  if (!account.enabled || !conversation.threadTs) return [];
  const items = [headerRefresh(conversationId)];
  if (set.assignee) {
    const t = strings(account.locale);
    const customer = customerLabel(conversation.profileName ?? undefined, t.conversations.header.unknownName);
    items.push(...threadPostItems({ key: `slack-reopened:${messageKey}`, conversationId, message: reopenedForView(t.inbox, { assignee: set.assignee, customer, before: set.before }) }));
  }
  return items;
}

const handedPayload = z.object({ conversationId: z.string(), userId: z.string(), by: z.string() });

/** The DM to whoever was handed a conversation, in their own language; skipped if it moved on before delivery. */
export function inboxOutboxHandlers(deps: Deps): Record<string, OutboxHandler> {
  return {
    [INBOX_KINDS.handed]: async (raw: Record<string, unknown>, delivery: DeliveryContext) => {
      const p = parsePayload(handedPayload, raw);
      const conversation = await findConversation(p.conversationId);
      if (!conversation?.threadTs || !conversation.channelId || conversation.assignee !== p.userId) return;
      const user = await slackUser(deps.slack, deps, p.userId);
      const customer = customerLabel(conversation.profileName ?? undefined, user.t.conversations.header.unknownName);
      const view = handedToYouView(user.t.inbox, { by: p.by, customer, channelId: conversation.channelId, threadTs: conversation.threadTs });
      await postOnce(deps, { channel: p.userId, text: view.text, blocks: view.blocks, unfurl_links: false }, delivery);
    },
  };
}
