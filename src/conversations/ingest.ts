import { createHash } from 'node:crypto';
import {
  contentPreview,
  failureView,
  inboundMessageView,
  mediaComment,
  mediaUnavailableView,
  reopenedView,
  slackEmojiName,
} from '../bot/views/conversations';
import type { Deps } from '../context';
import { strings, type Strings } from '../i18n';
import { enqueue, type EnqueueInput } from '../outbox';
import { conversationLane } from '../outbox/lanes';
import { customerKey, customerOfRun } from '../domain/customer';
import { conversationOf, findConversation, findConversationByCustomer, linkCustomer, recordInbounds } from '../store/conversations';
import { advanceStatus, insertMessage, type DeliveryStatus, type StoredMessage } from '../store/messages';
import type { AccountDocument, ConversationDocument } from '../store/models';
import { reopenOnInbound } from '../inbox';
import { keepUnhandledWebhook } from '../store/unhandled-webhooks';
import { applyTemplateCategoryUpdate, applyTemplateQualityUpdate, applyTemplateStatusUpdate } from '../templates/status';
import { describeWhatsAppError } from '../whatsapp/errors';
import type { InboundEvent, InboundMessage, MessageStatus, UserIdUpdate } from '../whatsapp/inbound';
import { statusReactionItem } from './deliveries';
import { applyUserPreference } from './preferences';
import { threadPostItems } from './threads';

export interface IngestResult {
  /** Messages stored now (not seen before). */
  stored: number;
  /** Messages already stored by an earlier (or concurrent) delivery. */
  duplicates: number;
  statuses: number;
  /** Statuses of messages we do not know, kept out of the way. */
  unknownStatuses: number;
  other: number;
}

const PREVIEW_LENGTH = 200;

/**
 * Stores the events of a journaled delivery (or of a customer's waiting deliveries, in
 * arrival order) and queues the Slack work. Safe to run twice for the same delivery, even
 * at once: messages are unique by wamid and outbox items by key.
 */
export async function ingestEvents(deps: Deps, account: AccountDocument, events: InboundEvent[]): Promise<IngestResult> {
  const result: IngestResult = { stored: 0, duplicates: 0, statuses: 0, unknownStatuses: 0, other: 0 };
  // In order: a batch's messages of one conversation keep their order in the thread.
  for (let n = 0; n < events.length; n++) {
    const event = events[n];
    if (!event) continue;
    switch (event.kind) {
      case 'message': {
        // The customer's messages that follow are stored together: one conversation read, one window move, one enqueue.
        const run = [event.message];
        const key = customerKey(event.message.customer);
        for (let next = events[n + 1]; next?.kind === 'message' && customerKey(next.message.customer) === key; next = events[n + 1]) {
          run.push(next.message);
          n++;
        }
        const ours = run.filter((m) => belongsTo(account, m.phoneNumberId));
        if (ours.length < run.length) {
          deps.logger.warn('message for another phone number ignored', { accountId: String(account._id) });
          result.other += run.length - ours.length;
        }
        if (ours.length === 0) break;
        const created = await ingestMessages(deps, account, ours);
        result.stored += created;
        result.duplicates += ours.length - created;
        break;
      }
      case 'status':
        if (await ingestStatus(deps, account, event.status)) result.statuses++;
        else result.unknownStatuses++;
        break;
      case 'user_id_update':
        if (belongsTo(account, event.update.phoneNumberId)) await applyUserIdUpdate(deps, account, event.update);
        result.other++;
        break;
      case 'user_preference':
        if (belongsTo(account, event.preference.phoneNumberId)) await applyUserPreference(deps, account, event.preference);
        result.other++;
        break;
      case 'template_status':
        await applyTemplateStatusUpdate(deps, String(account._id), event.update);
        result.other++;
        break;
      case 'template_category':
        await applyTemplateCategoryUpdate(deps, String(account._id), event.update);
        result.other++;
        break;
      case 'template_quality':
        await applyTemplateQualityUpdate(deps, String(account._id), event.update);
        result.other++;
        break;
      case 'error':
        deps.logger.warn('WhatsApp reported errors for the account', {
          accountId: String(account._id),
          codes: event.errors.map((e) => e.code),
        });
        result.other++;
        break;
      case 'ignored':
        await keepUnhandledWebhook({ accountId: account._id, field: event.field, wabaId: event.wabaId, value: event.value }, deps.clock.now());
        logFieldOnce(deps, event.field);
        result.other++;
        break;
      default:
        return assertNever(event);
    }
  }
  return result;
}

/** Field names already logged by this process: an operator hears of each once, not of every delivery. */
const loggedFields = new Set<string>();
/** Meta's field names are few; a bound keeps a flood of made-up ones (signed, so our own app's) from growing it. */
const LOGGED_FIELDS_MAX = 1_000;

function logFieldOnce(deps: Pick<Deps, 'logger'>, field: string): void {
  if (loggedFields.has(field) || loggedFields.size >= LOGGED_FIELDS_MAX) return;
  loggedFields.add(field);
  deps.logger.warn('webhook field not handled: acknowledged and kept in the unhandledwebhooks collection', { field });
}

function assertNever(event: never): never {
  throw new Error(`unknown inbound event ${JSON.stringify(event)}`);
}

/** A customer's new BSUID joins their conversation, found by the one it replaces (or their number). */
async function applyUserIdUpdate(deps: Deps, account: AccountDocument, update: UserIdUpdate): Promise<void> {
  const conversation =
    (await findConversationByCustomer(account._id, update.previousUserId)) ??
    (update.phone ? await findConversationByCustomer(account._id, update.phone) : undefined);
  if (!conversation) {
    deps.logger.debug('BSUID change of a customer we have no conversation with ignored', { accountId: String(account._id) });
    return;
  }
  await linkCustomer(conversation, { userId: update.userId, ...(update.phone ? { phone: update.phone } : {}) });
}

/** Cloud deliveries name the phone number; one app's webhook may carry several numbers. */
function belongsTo(account: AccountDocument, phoneNumberId: string | undefined): boolean {
  return phoneNumberId === undefined || !account.phoneNumberId || account.phoneNumberId === phoneNumberId;
}

/**
 * Stores one customer's messages in order, moves the window past them, and queues their
 * Slack posts; returns how many were new (the others were stored before).
 */
async function ingestMessages(deps: Deps, account: AccountDocument, ms: InboundMessage[]): Promise<number> {
  const s = strings(account.locale).conversations;
  const [first] = ms;
  if (!first) return 0;
  const who = { ...customerOfRun(ms), profileName: [...ms].reverse().find((m) => m.profileName)?.profileName };
  const { conversation, changed } = await linkCustomer(
    await conversationOf({ accountId: account._id, ...who, channelId: account.channelId }),
    who.customer,
    who.profileName,
  );
  const stored: { m: InboundMessage; message: StoredMessage; preview: string }[] = [];
  let created = 0;
  for (const m of ms) {
    const preview = contentPreview(s, m.content).slice(0, PREVIEW_LENGTH);
    const insert = await insertMessage({
      key: m.wamid,
      accountId: account._id,
      conversationId: conversation._id,
      direction: 'inbound',
      wamid: m.wamid,
      type: m.content.type,
      text: preview,
      content: {
        ...m.content,
        ...(m.contextWamid ? { contextWamid: m.contextWamid } : {}),
        ...(m.forwarded ? { forwarded: true } : {}),
        ...(m.referral ? { referral: m.referral } : {}),
        ...(m.referredProduct ? { referredProduct: m.referredProduct } : {}),
      },
      sentAt: m.timestamp,
      sender: { kind: 'customer', id: customerKey(m.customer) },
      status: 'received',
    });
    if (insert.created) created++;
    stored.push({ m, message: insert.message, preview });
  }

  // A system notice (e.g. "changed number") is not the customer writing: it opens no window.
  const writing = stored.filter(({ m }) => m.content.type !== 'system');
  const window = await recordInbounds(conversation, writing.map(({ m, preview }) => ({ at: m.timestamp, preview })), deps.config.expiry.warnMinutes);
  const reopened = new Set(writing.filter((_, n) => window.moves[n]?.reopened).map(({ m }) => m.wamid));
  // The customer writing again puts a pending or resolved conversation back in the queue.
  const lastWriting = writing.at(-1);
  const inboxItems = lastWriting ? await reopenOnInbound(deps, account, window.conversation, String(lastWriting.message._id)) : [];

  // A switched-off account keeps its history but stays silent in Slack.
  if (!account.enabled) return created;

  const conversationId = String(conversation._id);
  const customerName = window.conversation.profileName ?? undefined;
  const items = stored.flatMap(({ m, message }) => postItems(s, { conversationId, messageId: String(message._id), customerName }, m, reopened.has(m.wamid)));
  const closesAt = shownMinute(window.conversation.windowClosesAt);
  const windowShown = window.moves.some((move) => move.moved) && closesAt !== shownMinute(conversation.windowClosesAt);
  // The root shows the customer's name, username and number: a new one is shown there too.
  const whoShown = changed.some((field) => field !== 'userId' && field !== 'parentUserId');
  if (window.conversation.threadTs && (windowShown || whoShown)) {
    items.push({
      key: `slack-header:${conversationId}:${closesAt ?? 0}${whoShown ? `:${shownCustomer(window.conversation)}` : ''}`,
      lane: conversationLane(conversationId),
      kind: 'conversation.header',
      payload: { conversationId },
    });
  }
  await enqueue([...items, ...inboxItems], deps.clock.now());
  return created;
}

/** What shows an inbound message in its thread: an upload, a reaction, or a post (announced when it opened a new window). */
function postItems(
  s: Strings['conversations'],
  { conversationId, messageId, customerName }: { conversationId: string; messageId: string; customerName: string | undefined },
  m: InboundMessage,
  reopened: boolean,
): EnqueueInput[] {
  const content = m.content;
  if (content.type === 'image' || content.type === 'audio' || content.type === 'video' || content.type === 'document' || content.type === 'sticker') {
    return [{
      key: `slack-upload:${messageId}`,
      lane: conversationLane(conversationId),
      kind: 'conversation.upload',
      payload: {
        conversationId,
        messageId,
        mediaId: content.mediaId,
        kind: content.type,
        ...(content.mimeType ? { mimeType: content.mimeType } : {}),
        ...(content.filename ? { filename: content.filename } : {}),
        comment: mediaComment(s, content),
        unavailable: mediaUnavailableView(s, content),
      },
    }];
  }
  if (content.type === 'reaction') {
    const name = content.emoji ? slackEmojiName(content.emoji) : undefined;
    return [{
      key: `slack-react:${messageId}`,
      lane: conversationLane(conversationId),
      kind: 'conversation.react',
      payload: { conversationId, targetWamid: content.reactedWamid, ...(name ? { add: name } : {}), remove: [], fallback: inboundMessageView(s, m) },
    }];
  }
  const view = inboundMessageView(s, m);
  const message = reopened ? reopenedView(s, customerName, view) : view;
  return threadPostItems({ key: `slack-post:${messageId}`, conversationId, message, broadcast: reopened, messageId });
}

/** A digest of who the root shows: a header update per change of it, whatever else is queued. */
function shownCustomer(c: ConversationDocument): string {
  const shown = [c.profileName, c.username, c.phone].map((v) => v ?? '').join('\n');
  return createHash('sha256').update(shown).digest('hex').slice(0, 16);
}

/**
 * The header shows the window's close to the minute: a move within that minute
 * changes nothing a reader sees, and is not worth a chat.update (Slack allows few).
 */
function shownMinute(at: Date | null | undefined): number | undefined {
  return at ? Math.floor(at.getTime() / 60_000) : undefined;
}

function deliveryStatus(status: string): DeliveryStatus | undefined {
  return status === 'sent' || status === 'delivered' || status === 'read' || status === 'failed' ? status : undefined;
}

/** Updates our outbound message; false when the status is for a message we do not know (or is stale). */
async function ingestStatus(deps: Deps, account: AccountDocument, st: MessageStatus): Promise<boolean> {
  const status = deliveryStatus(st.status);
  if (!status) return false;
  const first = st.errors[0];
  const error = first ? { code: first.code, title: first.title || first.message || '', meaning: describeWhatsAppError(first.code).meaning } : undefined;
  const message = await advanceStatus(account._id, st.wamid, status, error);
  if (!message) {
    deps.logger.debug('status for an unknown or already further message ignored', { status: st.status });
    return false;
  }
  // A status names the recipient by number and BSUID: how a customer we wrote to by number stays ours once they hide it.
  if (st.recipient.userId) {
    const conversation = await findConversation(message.conversationId);
    if (conversation) await linkCustomer(conversation, st.recipient);
  }
  if (!account.enabled) return true;
  const conversationId = String(message.conversationId);
  const messageId = String(message._id);
  const items: EnqueueInput[] = [];
  if (message.slackTs) items.push(statusReactionItem(conversationId, messageId, status));
  if (status === 'failed') {
    const view = failureView(strings(account.locale).conversations, {
      code: error?.code ?? 0,
      meaning: error?.meaning ?? 'unknown',
      title: error?.title,
      conversationId,
    });
    items.push(...threadPostItems({ key: `slack-failed:${messageId}`, conversationId, message: view }));
  }
  await enqueue(items, deps.clock.now());
  return true;
}
