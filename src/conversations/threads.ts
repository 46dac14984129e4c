import { LRUCache } from 'lru-cache';
import type { Types } from 'mongoose';
import { z } from 'zod';
import { threadHeader, type SlackMessage } from '../bot/views/conversations';
import { inboxHeaderBlocks } from '../bot/views/inbox';
import { inboxStatus } from '../domain/inbox';
import { messageParts } from '../bot/views/limits';
import type { Deps } from '../context';
import { conversationCustomer } from '../domain/customer';
import { strings } from '../i18n';
import { enqueue, PermanentFailure, type DeliveryContext, type EnqueueInput } from '../outbox';
import { conversationLane } from '../outbox/lanes';
import { postOnce } from '../outbox/slack';
import { findAccount, findAccountRecent } from '../store/accounts';
import { findConversation, setThread } from '../store/conversations';
import type { AccountDocument, ConversationDocument } from '../store/models';

export const blocksSchema = z.array(z.object({ type: z.string() }).passthrough());

export interface ThreadPost {
  /** Idempotency key: the same key twice posts once. */
  key: string;
  conversationId: Types.ObjectId | string;
  message: SlackMessage;
  /** Also show it in the channel (a "reply_broadcast"). */
  broadcast?: boolean;
  /** The stored message this post shows; it gets the Slack ts. */
  messageId?: Types.ObjectId | string;
}

/**
 * The outbox items of one thread post: one per Slack message it needs (see `messageParts`),
 * in one lane so they keep their order. The first is the message's own post and broadcast.
 */
export function threadPostItems(post: ThreadPost): EnqueueInput[] {
  return messageParts(post.message).map((part, n) => ({
    key: n === 0 ? post.key : `${post.key}:part${n + 1}`,
    lane: conversationLane(post.conversationId),
    kind: 'conversation.post',
    payload: {
      conversationId: String(post.conversationId),
      text: part.text,
      blocks: part.blocks,
      ...(post.broadcast && n === 0 ? { broadcast: true } : {}),
      ...(post.messageId && n === 0 ? { messageId: String(post.messageId) } : {}),
    },
  }));
}

/**
 * Posts into a conversation's Slack thread through the outbox, opening the
 * thread first if the conversation has none yet. For other features too (window
 * alerts, templates): give a key that is unique for what you post.
 */
export async function enqueueThreadPost(post: ThreadPost, now: Date): Promise<void> {
  await enqueue(threadPostItems(post), now);
}

export interface Thread {
  conversation: ConversationDocument;
  account: AccountDocument;
  channel: string;
  threadTs: string;
}

/** The header (thread root) of a conversation, in the account's channel language: the customer, then who has it and its status. */
export function renderHeader(deps: Pick<Deps, 'clock' | 'config'>, conversation: ConversationDocument, account: AccountDocument): SlackMessage {
  const t = strings(account.locale);
  const header = threadHeader(t.conversations, {
    customerName: conversation.profileName ?? undefined,
    customer: conversationCustomer(conversation),
    accountName: account.name,
    windowClosesAt: conversation.windowClosesAt ?? undefined,
    now: deps.clock.now(),
    timeZone: deps.config.timeZone,
    ...(conversation.marketingPreference === 'stop' ? { marketingStopped: strings(account.locale).platform.headerMarketingStopped } : {}),
  });
  const inbox = inboxHeaderBlocks(t, {
    conversationId: String(conversation._id),
    assignee: conversation.assignee ?? undefined,
    status: inboxStatus(conversation.status),
    tags: conversation.tags ?? [],
  });
  return { text: header.text, blocks: [...header.blocks, ...inbox] };
}

export interface ThreadOptions extends Partial<Pick<DeliveryContext, 'uncertain'>> {
  /**
   * 'recent': the account may be up to two seconds old (`findAccountRecent`), as it is when
   * a webhook is stored: enough for posting, which uses only its name, language and channel,
   * and it spares a read per post. 'fresh' (the default): for a decision on its switch or
   * its credentials, which another instance may have changed a moment ago.
   */
  account?: 'fresh' | 'recent';
}

/**
 * Threads known to be open, by conversation. A thread, once set, is never moved (see `setThread`),
 * and a conversation that had posts is never deleted, so a post into a known thread need not read
 * its conversation: one read less for every message shown.
 */
const openThreads = new LRUCache<string, Pick<Thread, 'channel' | 'threadTs'>>({ max: 10_000 });

/** Where the conversation's posts go: its thread, opened first if need be (see `ensureThread`). */
export async function threadOf(
  deps: Pick<Deps, 'clock' | 'config' | 'slack' | 'slackPacer' | 'logger'>,
  conversationId: string | Types.ObjectId,
  options: ThreadOptions = {},
): Promise<Pick<Thread, 'channel' | 'threadTs'>> {
  const known = openThreads.get(String(conversationId));
  if (known) return known;
  const { channel, threadTs } = await ensureThread(deps, conversationId, options);
  openThreads.set(String(conversationId), { channel, threadTs });
  return { channel, threadTs };
}

/** The conversation's thread, posting its header as the root first if there is none yet. */
export async function ensureThread(
  deps: Pick<Deps, 'clock' | 'config' | 'slack' | 'slackPacer' | 'logger'>,
  conversationId: string | Types.ObjectId,
  options: ThreadOptions = {},
): Promise<Thread> {
  const conversation = await findConversation(conversationId);
  if (!conversation) throw new PermanentFailure(`conversation ${String(conversationId)} no longer exists`);
  const account = await (options.account === 'recent' ? findAccountRecent : findAccount)(String(conversation.accountId));
  if (!account) throw new PermanentFailure(`account of conversation ${String(conversationId)} no longer exists`);
  const channel = conversation.channelId ?? account.channelId;
  if (conversation.threadTs) return { conversation, account, channel, threadTs: conversation.threadTs };

  const header = renderHeader(deps, conversation, account);
  const rootTs = await postOnce(
    deps,
    { channel, text: header.text, blocks: header.blocks, unfurl_links: false },
    { key: `thread-root:${String(conversation._id)}`, uncertain: options.uncertain === true },
  );
  if (!rootTs) throw new PermanentFailure('Slack returned no ts for the thread root');
  // Stored at once: if a later step fails, the retry reuses this root instead of opening another.
  const threadTs = await setThread(conversation._id, channel, rootTs);
  conversation.threadTs = threadTs;
  conversation.channelId = channel;
  return { conversation, account, channel, threadTs };
}
