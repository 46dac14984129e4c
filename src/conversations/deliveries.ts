import type { types } from '@slack/bolt';
import { isValidObjectId, Types } from 'mongoose';
import { z } from 'zod';
import {
  failureView,
  STATUS_REACTIONS,
  windowClosedEphemeral,
} from '../bot/views/conversations';
import { slackUser } from '../bot/user';
import type { Deps } from '../context';
import { conversationCustomer, sendAddress } from '../domain/customer';
import { canReplyFreely } from '../domain/window';
import { strings } from '../i18n';
import { enqueue, parsePayload, RetryLater, type DeliveryContext, type OutboxHandler } from '../outbox';
import { conversationLane } from '../outbox/lanes';
import { fileShared, postOnce, waitTurn } from '../outbox/slack';
import { accountProvider } from '../accounts/provider';
import { findConversation, recordReply } from '../store/conversations';
import { findMessage, findMessageByWamid, markAccepted, markFailed, setMessageSlackFile, setMessageSlackRef } from '../store/messages';
import type { AccountDocument, ConversationDocument, MessageDocument } from '../store/models';
import { describeWhatsAppError } from '../whatsapp/errors';
import { WhatsAppApiError } from '../whatsapp/provider';
import { mediaFilename, mediaKindOf } from './format';
import { blocksSchema, ensureThread, renderHeader, threadOf, threadPostItems } from './threads';

/** A send still throttled after this many tries is reported instead of retried for ever. */
export const MAX_SEND_ATTEMPTS = 8;
const MAX_DOWNLOAD_ATTEMPTS = 5;

const postPayload = z.object({
  conversationId: z.string(),
  text: z.string(),
  blocks: blocksSchema,
  broadcast: z.boolean().optional(),
  messageId: z.string().optional(),
});

const uploadPayload = z.object({
  conversationId: z.string(),
  messageId: z.string(),
  mediaId: z.string(),
  kind: z.string(),
  mimeType: z.string().optional(),
  filename: z.string().optional(),
  comment: z.string(),
  /** Posted instead when the media cannot be had from WhatsApp. */
  unavailable: z.object({ text: z.string(), blocks: blocksSchema }),
});

const reactPayload = z.object({
  conversationId: z.string(),
  targetMessageId: z.string().optional(),
  targetWamid: z.string().optional(),
  add: z.string().optional(),
  remove: z.array(z.string()).default([]),
  /** Posted into the thread when the target is not in Slack or the emoji has no Slack name. */
  fallback: z.object({ text: z.string(), blocks: blocksSchema }).optional(),
});

const headerPayload = z.object({ conversationId: z.string() });
const sendPayload = z.object({ messageId: z.string() });

/** What an agent's outbound message carries, as stored in `content`. */
export const outboundContentSchema = z.union([
  z.object({ kind: z.literal('text'), body: z.string() }),
  z.object({
    kind: z.literal('file'),
    caption: z.string().optional(),
    file: z.object({ id: z.string(), name: z.string(), mimeType: z.string(), url: z.string().url() }),
  }),
]);
export type OutboundContent = z.infer<typeof outboundContentSchema>;

/** Slack's own error name from a failed Web API call. */
function slackErrorName(err: unknown): string | undefined {
  const parsed = z.object({ data: z.object({ error: z.string() }) }).safeParse(err);
  return parsed.success ? parsed.data.data.error : undefined;
}


/** Blocks as built by our views, or as they come back out of an outbox payload. */
type Postable = { text: string; blocks: types.AnyBlock[] };

async function postInThread(
  deps: Deps,
  conversationId: string,
  message: Postable,
  opts: { broadcast?: boolean; delivery: DeliveryContext },
): Promise<{ channel: string; ts: string }> {
  const thread = await threadOf(deps, conversationId, { uncertain: opts.delivery.uncertain, account: 'recent' });
  const ts = await postOnce(
    deps,
    {
      channel: thread.channel,
      thread_ts: thread.threadTs,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      reply_broadcast: opts.broadcast === true,
    },
    opts.delivery,
  );
  return { channel: thread.channel, ts: ts ?? '' };
}

async function post(deps: Deps, payload: Record<string, unknown>, delivery: DeliveryContext): Promise<void> {
  const p = parsePayload(postPayload, payload);
  const messageId = p.messageId !== undefined && isValidObjectId(p.messageId) ? new Types.ObjectId(p.messageId) : undefined;
  // Already shown: an attempt after one that posted but stopped short of its tombstone must not post again.
  // Only an uncertain attempt can follow such a one: the worker found no tombstone for this key (a message
  // has one post key), and whatever stops an attempt between posting and the tombstone (a crash, a failed
  // write) makes the next attempt uncertain. A certain one, the usual case, spares the read.
  if (messageId && delivery.uncertain && (await findMessage(messageId))?.slackTs) return;
  const posted = await postInThread(deps, p.conversationId, { text: p.text, blocks: p.blocks }, { broadcast: p.broadcast, delivery });
  // By _id without reading it first: a message that is gone matches nothing.
  if (messageId && posted.ts) await setMessageSlackRef(messageId, posted.channel, posted.ts);
}

/**
 * WhatsApp media into the thread with Slack's external upload flow. Sharing has no idempotency key
 * either: the file's id is recorded before it is shared, and an attempt that may follow one which
 * shared it looks for that file in the thread first.
 */
async function upload(deps: Deps, payload: Record<string, unknown>, delivery: DeliveryContext): Promise<void> {
  const { attempt } = delivery;
  const p = parsePayload(uploadPayload, payload);
  const messageId = isValidObjectId(p.messageId) ? new Types.ObjectId(p.messageId) : undefined;
  const thread = await ensureThread(deps, p.conversationId, { uncertain: delivery.uncertain });
  // Sharing the file posts into the thread, so it takes a turn like any post: before the download, not to repeat that.
  waitTurn(deps.slackPacer, thread.channel, delivery.key);
  if (delivery.uncertain && messageId) {
    const fileId = (await findMessage(messageId))?.slackFileId;
    if (fileId && (await fileShared(deps.slack, thread.channel, thread.threadTs, fileId, delivery))) return;
  }
  let media: { data: Buffer; mimeType: string };
  try {
    media = await accountProvider(deps, thread.account).downloadMedia(p.mediaId);
  } catch (err) {
    if (err instanceof WhatsAppApiError && err.retryable && attempt < MAX_DOWNLOAD_ATTEMPTS) throw new RetryLater(err.message, err.retryAfterMs);
    deps.logger.warn('media could not be downloaded from WhatsApp', { conversationId: p.conversationId, err });
    await postInThread(deps, p.conversationId, p.unavailable, { delivery });
    return;
  }
  const filename = mediaFilename(p.kind, media.mimeType, p.filename);
  const target = await deps.slack.files.getUploadURLExternal({ filename, length: media.data.length });
  if (!target.upload_url || !target.file_id) throw new RetryLater('Slack gave no upload URL');
  if (messageId) await setMessageSlackFile(messageId, target.file_id);
  let uploaded: Response;
  try {
    uploaded = await fetch(target.upload_url, { method: 'POST', body: media.data, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new RetryLater(`upload to Slack failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!uploaded.ok) throw new RetryLater(`upload to Slack answered HTTP ${uploaded.status}`);
  await deps.slack.files.completeUploadExternal({
    files: [{ id: target.file_id, title: filename }],
    channel_id: thread.channel,
    thread_ts: thread.threadTs,
    initial_comment: p.comment || undefined,
  });
}

async function react(deps: Deps, payload: Record<string, unknown>, delivery: DeliveryContext): Promise<void> {
  const p = parsePayload(reactPayload, payload);
  const conversation = await findConversation(p.conversationId);
  if (!conversation) return;
  const target = p.targetMessageId
    ? await findMessage(p.targetMessageId)
    : p.targetWamid
      ? await findMessageByWamid(conversation.accountId, p.targetWamid)
      : undefined;
  if (!target?.slackTs || !target.slackChannelId || !p.add) {
    if (p.fallback) await postInThread(deps, p.conversationId, p.fallback, { delivery });
    return;
  }
  const at = { channel: target.slackChannelId, timestamp: target.slackTs };
  for (const name of p.remove) {
    try {
      await deps.slack.reactions.remove({ ...at, name });
    } catch (err) {
      if (slackErrorName(err) !== 'no_reaction') throw err;
    }
  }
  try {
    await deps.slack.reactions.add({ ...at, name: p.add });
  } catch (err) {
    if (slackErrorName(err) !== 'already_reacted') throw err;
  }
}

/** Refreshes the thread root, e.g. its "reply before" time after the window moved. */
async function header(deps: Deps, payload: Record<string, unknown>): Promise<void> {
  const p = parsePayload(headerPayload, payload);
  const conversation = await findConversation(p.conversationId);
  // Without a root yet, the root will be posted with fresh data anyway.
  if (!conversation?.threadTs || !conversation.channelId) return;
  const thread = await ensureThread(deps, conversation._id);
  const view = renderHeader(deps, thread.conversation, thread.account);
  await deps.slack.chat.update({ channel: thread.channel, ts: thread.threadTs, text: view.text, blocks: view.blocks });
}

/** Status reactions: the newest replaces the previous ones. */
export function statusReactionItem(conversationId: string, messageId: string, status: 'sent' | 'delivered' | 'read' | 'failed') {
  const add = STATUS_REACTIONS[status];
  return {
    key: `slack-status:${messageId}:${status}`,
    lane: conversationLane(conversationId),
    kind: 'conversation.react',
    payload: {
      conversationId,
      targetMessageId: messageId,
      add,
      remove: (['sent', 'delivered', 'read'] as const).map((s) => STATUS_REACTIONS[s]).filter((name) => name !== add),
    },
  };
}

async function downloadSlackFile(deps: Deps, url: string): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { Authorization: `Bearer ${deps.config.slack.botToken}` }, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new RetryLater(`Slack file download failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (res.status >= 500 || res.status === 429) throw new RetryLater(`Slack file download answered HTTP ${res.status}`);
  if (!res.ok) throw new SlackFileUnavailable(`Slack file download answered HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

class SlackFileUnavailable extends Error {}

interface Failure {
  code: number;
  title: string;
  meaning: string;
}

async function reportFailure(
  deps: Deps,
  message: MessageDocument,
  conversation: ConversationDocument,
  account: AccountDocument,
  failure: Failure,
): Promise<void> {
  await markFailed(message._id, failure);
  const conversationId = String(conversation._id);
  const messageId = String(message._id);
  if (failure.meaning === 'window_closed' && message.sender?.kind === 'slack' && message.slackChannelId) {
    // The agent alone learns it, with the way out, as when the window was already closed before sending.
    const agent = await slackUser(deps.slack, deps, message.sender.id);
    const view = windowClosedEphemeral(agent.t.conversations, {
      conversationId,
      closesAt: conversation.windowClosesAt ?? undefined,
      timeZone: agent.timeZone,
    });
    try {
      await deps.slack.chat.postEphemeral({
        channel: message.slackChannelId,
        user: message.sender.id ?? '',
        thread_ts: conversation.threadTs ?? undefined,
        text: view.text,
        blocks: view.blocks,
      });
    } catch (err) {
      deps.logger.warn('could not tell the agent the window is closed', { conversationId, err });
    }
    await enqueue([statusReactionItem(conversationId, messageId, 'failed')], deps.clock.now());
    return;
  }
  const view = failureView(strings(account.locale).conversations, { ...failure, conversationId });
  await enqueue(
    [
      statusReactionItem(conversationId, messageId, 'failed'),
      ...threadPostItems({ key: `slack-failed:${messageId}`, conversationId, message: view }),
    ],
    deps.clock.now(),
  );
}

/** An agent's reply to WhatsApp: throttling and outages are retried, anything else is reported once in the thread. */
async function send(deps: Deps, payload: Record<string, unknown>, attempt: number): Promise<void> {
  const p = parsePayload(sendPayload, payload);
  const message = await findMessage(p.messageId);
  if (!message || message.status !== 'pending') return;
  const conversation = await findConversation(message.conversationId);
  const thread = conversation ? await ensureThread(deps, conversation._id).catch(() => undefined) : undefined;
  if (!conversation || !thread) {
    await markFailed(message._id, { code: 0, title: 'conversation gone', meaning: 'unknown' });
    return;
  }
  const now = deps.clock.now();
  if (!thread.account.enabled || thread.account.state !== 'connected') {
    await markFailed(message._id, { code: 0, title: 'account switched off', meaning: 'unknown' });
    return;
  }
  if (!canReplyFreely(conversation.windowClosesAt ?? undefined, now)) {
    // It waited in the queue (throttling, an outage) until the window closed.
    await reportFailure(deps, message, conversation, thread.account, { code: 131047, title: 'Re-engagement message', meaning: 'window_closed' });
    return;
  }
  const content = outboundContentSchema.safeParse(message.content);
  if (!content.success) {
    await markFailed(message._id, { code: 0, title: 'nothing to send', meaning: 'unknown' });
    return;
  }
  const provider = accountProvider(deps, thread.account);
  // The number where the customer shares it, else their BSUID (sent in `recipient`, see http.ts).
  const to = sendAddress(conversationCustomer(conversation)) ?? conversation.waId;
  try {
    let sent: { wamid: string };
    if (content.data.kind === 'text') {
      sent = await provider.sendText(to, content.data.body);
    } else {
      const file = content.data.file;
      const data = await downloadSlackFile(deps, file.url);
      const { mediaId } = await provider.uploadMedia(data, file.mimeType, file.name);
      sent = await provider.sendMedia(to, {
        kind: mediaKindOf(file.mimeType),
        mediaId,
        caption: content.data.caption,
        filename: file.name,
      });
    }
    await markAccepted(message._id, sent.wamid);
    await recordReply(conversation._id, deps.clock.now(), message.sender?.id ?? '');
    await enqueue([statusReactionItem(String(conversation._id), String(message._id), 'sent')], deps.clock.now());
  } catch (err) {
    if (err instanceof WhatsAppApiError) {
      if (err.retryable && attempt < MAX_SEND_ATTEMPTS) throw new RetryLater(err.message, err.retryAfterMs);
      const described = describeWhatsAppError(err.code ?? 0);
      await reportFailure(deps, message, conversation, thread.account, {
        code: err.code ?? err.httpStatus ?? 0,
        title: err.title ?? err.message,
        meaning: err.code === undefined ? 'unknown' : described.meaning,
      });
      return;
    }
    if (err instanceof SlackFileUnavailable) {
      await reportFailure(deps, message, conversation, thread.account, { code: 0, title: err.message, meaning: 'media_upload_failed' });
      return;
    }
    throw err;
  }
}

/** The outbox handlers of conversations, by kind; the service registers them with the worker. */
export function conversationOutboxHandlers(deps: Deps): Record<string, OutboxHandler> {
  return {
    'conversation.post': (payload, ctx) => post(deps, payload, ctx),
    'conversation.upload': (payload, ctx) => upload(deps, payload, ctx),
    'conversation.react': (payload, ctx) => react(deps, payload, ctx),
    'conversation.header': (payload) => header(deps, payload),
    'whatsapp.send': (payload, ctx) => send(deps, payload, ctx.attempt),
  };
}
