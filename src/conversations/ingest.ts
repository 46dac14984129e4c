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
import { groupBy } from '../collections';
import type { Deps } from '../context';
import { strings, type Strings } from '../i18n';
import { enqueue, type EnqueueInput } from '../outbox';
import { conversationLane } from '../outbox/lanes';
import { customerKey, customerOfRun } from '../domain/customer';
import { conversationsOf, findConversation, findConversationByCustomer, findConversations, linkCustomer, recordInbounds, type CustomerField } from '../store/conversations';
import { advanceStatus, applyStatusMoves, insertMessages, outboundByWamid, statusMoves, type DeliveryStatus, type NewMessage, type StatusError, type StatusMove, type StoredMessage } from '../store/messages';
import type { AccountDocument, ConversationDocument } from '../store/models';
import { reopenOnInbound } from '../inbox';
import { csatScore } from '../domain/csat';
import { recordCsatAnswer } from '../metrics/csat';
import { keepUnhandledWebhook } from '../store/unhandled-webhooks';
import { applyTemplateCategoryUpdate, applyTemplateQualityUpdate, applyTemplateStatusUpdate } from '../templates/status';
import { describeWhatsAppError } from '../whatsapp/errors';
import type { Delivery } from '../journal';
import type { InboundEvent, InboundMessage, MessageStatus, UserIdUpdate } from '../whatsapp/inbound';
import { statusReactionItem } from './deliveries';
import { applyUserPreference } from './preferences';
import { threadPostItems } from './threads';
import { awayReplyItems } from '../sla/away';
import { slaClockStart } from '../sla/clock';
import { putSlaClocks, type ClockStart } from '../store/sla';
import type { WindowMove } from '../domain/window';

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
 * Stores the events of journaled deliveries and queues the Slack work. The messages of every
 * customer among them are stored together: one read of their conversations, one insert of the
 * messages, one write of the windows, one enqueue, however many customers wrote. Safe to run twice
 * for the same delivery, even at once: messages are unique by wamid and outbox items by key.
 */
export async function ingestDeliveries(deps: Deps, deliveries: readonly Delivery[]): Promise<IngestResult> {
  const result: IngestResult = { stored: 0, duplicates: 0, statuses: 0, unknownStatuses: 0, other: 0 };
  let waiting: Written[] = [];
  const store = async () => {
    const written = waiting;
    waiting = [];
    const created = await ingestMessages(deps, written);
    result.stored += created;
    result.duplicates += written.length - created;
  };
  const statuses: AccountStatus[] = [];
  const others: { account: AccountDocument; event: OtherEvent }[] = [];
  for (const { account, events } of deliveries) {
    for (const event of events) {
      if (event.kind === 'message') {
        if (!belongsTo(account, event.message.phoneNumberId)) {
          deps.logger.warn('message for another phone number ignored', { accountId: String(account._id) });
          result.other++;
          continue;
        }
        waiting.push({ account, message: event.message });
        // The customer's messages after a change of number or BSUID are found by the new one: stored once it is linked.
        if (event.message.content.type === 'system') await store();
      } else if (event.kind === 'user_id_update') {
        await store();
        if (belongsTo(account, event.update.phoneNumberId)) await applyUserIdUpdate(deps, account, event.update);
        result.other++;
      } else if (event.kind === 'status') statuses.push({ account, status: event.status });
      else others.push({ account, event });
    }
  }
  await store();
  // Statuses and notices touch no inbound message or window: after the messages, the statuses together, each kind in its order.
  await ingestStatuses(deps, statuses, result);
  for (const { account, event } of others) await ingestOther(deps, account, event, result);
  return result;
}

/** What a delivery carries besides messages, statuses and BSUID changes. */
type OtherEvent = Exclude<InboundEvent, { kind: 'message' | 'user_id_update' | 'status' }>;

async function ingestOther(deps: Deps, account: AccountDocument, event: OtherEvent, result: IngestResult): Promise<void> {
  switch (event.kind) {
    case 'user_preference':
      if (belongsTo(account, event.preference.phoneNumberId)) await applyUserPreference(deps, account, event.preference);
      break;
    case 'template_status':
      await applyTemplateStatusUpdate(deps, String(account._id), event.update);
      break;
    case 'template_category':
      await applyTemplateCategoryUpdate(deps, String(account._id), event.update);
      break;
    case 'template_quality':
      await applyTemplateQualityUpdate(deps, String(account._id), event.update);
      break;
    case 'error':
      deps.logger.warn('WhatsApp reported errors for the account', { accountId: String(account._id), codes: event.errors.map((e) => e.code) });
      break;
    case 'ignored':
      await keepUnhandledWebhook({ accountId: account._id, field: event.field, wabaId: event.wabaId, value: event.value }, deps.clock.now());
      logFieldOnce(deps, event.field);
      break;
    default:
      return assertNever(event);
  }
  result.other++;
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

interface Written {
  account: AccountDocument;
  message: InboundMessage;
}

/** One conversation's messages of a batch, in arrival order. */
interface Run {
  account: AccountDocument;
  conversation: ConversationDocument;
  messages: InboundMessage[];
}

/**
 * Stores the messages, each customer's in order, moves their windows past them, and queues their
 * Slack posts; returns how many were new (the others were stored before).
 */
async function ingestMessages(deps: Deps, written: readonly Written[]): Promise<number> {
  if (written.length === 0) return 0;
  const customers = [...groupBy(written, (w) => `${String(w.account._id)}:${customerKey(w.message.customer)}`).values()];
  const found = await conversationsOf(customers.map((ws) => ({ accountId: at(ws, 0).account._id, ...customerOfRun(ws.map((w) => w.message)), channelId: at(ws, 0).account.channelId })));
  // A customer who wrote by number and by BSUID in one batch came as two customers of one conversation: one run.
  const runs = new Map<string, Run>();
  customers.forEach((ws, n) => {
    const conversation = found[n];
    if (!conversation) return;
    const run = runs.get(String(conversation._id));
    if (run) run.messages.push(...ws.map((w) => w.message));
    else runs.set(String(conversation._id), { account: at(ws, 0).account, conversation, messages: ws.map((w) => w.message) });
  });

  const linked: (Run & { changed: CustomerField[] })[] = [];
  for (const run of runs.values()) {
    const who = customerOfRun(run.messages);
    const profileName = [...run.messages].reverse().find((m) => m.profileName)?.profileName;
    linked.push({ ...run, ...(await linkCustomer(run.conversation, who.customer, profileName)) });
  }

  const previews = linked.map(({ account, messages }) => messages.map((m) => contentPreview(strings(account.locale).conversations, m.content).slice(0, PREVIEW_LENGTH)));
  const inserted = await insertMessages(linked.flatMap(({ account, conversation, messages }, r) => messages.map((m, n) => newInbound(account, conversation, m, previews[r]?.[n] ?? ''))));
  // The insert's results, in the same order: run by run, message by message.
  let next = 0;
  const stored = linked.map(({ messages }, r) => messages.map((m, n) => ({ m, preview: previews[r]?.[n] ?? '', ...at(inserted, next++) })));

  // A system notice (e.g. "changed number") is not the customer writing: it opens no window.
  const writing = stored.map((run) => run.filter(({ m }) => m.content.type !== 'system'));
  const windows = await recordInbounds(
    linked.map(({ conversation }, r) => ({ conversation, inbounds: (writing[r] ?? []).map(({ m, preview }) => ({ at: m.timestamp, preview })) })),
    deps.config.expiry.warnMinutes,
  );

  const items: EnqueueInput[] = [];
  const clocks: (ClockStart | undefined)[] = [];
  for (const [r, { account, conversation, changed }] of linked.entries()) {
    const window = windows[r];
    const ours = writing[r] ?? [];
    if (!window) continue;
    const reopened = new Set(ours.filter((_, n) => window.moves[n]?.reopened).map(({ m }) => m.wamid));
    for (const { m } of ours) {
      const score = surveyScore(m);
      if (score !== undefined) await recordCsatAnswer(account, window.conversation, { score, at: m.timestamp, wamid: m.wamid });
    }
    // The customer writing again puts a pending or resolved conversation back in the queue.
    const lastWriting = ours.filter(({ m }) => surveyScore(m) === undefined).at(-1);
    if (lastWriting) items.push(...(await reopenOnInbound(deps, account, window.conversation, String(lastWriting.message._id))));
    // The response target starts (or keeps counting) from the customer's first unanswered message.
    const writingAts = ours.map(({ m }) => m.timestamp);
    clocks.push(slaClockStart(account, conversation, writingAts));
    // A switched-off account keeps its history but stays silent in Slack.
    if (!account.enabled) continue;
    items.push(...threadItems(account, conversation, window, changed, stored[r] ?? [], reopened));
    // Outside business hours, the first message of a closed period gets the account's away reply (after it in the thread).
    items.push(...(await awayReplyItems(deps, account, window.conversation, writingAts)));
  }
  await putSlaClocks(clocks);
  await enqueue(items, deps.clock.now());
  return inserted.filter((i) => i.created).length;
}

/** A tap on the satisfaction survey is a rating, kept for the metrics; it does not reopen what was resolved. */
function surveyScore(m: InboundMessage): number | undefined {
  return m.content.type === 'interactive' ? csatScore(m.content.id) : undefined;
}

function at<T>(list: readonly T[], n: number): T {
  const item = list[n];
  if (item === undefined) throw new Error(`nothing at ${n}`);
  return item;
}

function newInbound(account: AccountDocument, conversation: ConversationDocument, m: InboundMessage, preview: string): NewMessage {
  return {
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
  };
}

/** The thread's posts of a run's messages, and a header refresh when what the root shows changed. */
function threadItems(
  account: AccountDocument,
  before: ConversationDocument,
  window: { moves: readonly WindowMove[]; conversation: ConversationDocument },
  changed: readonly CustomerField[],
  stored: readonly { m: InboundMessage; message: StoredMessage }[],
  reopened: ReadonlySet<string>,
): EnqueueInput[] {
  const s = strings(account.locale).conversations;
  const conversationId = String(before._id);
  const customerName = window.conversation.profileName ?? undefined;
  const items = stored.flatMap(({ m, message }) => postItems(s, { conversationId, messageId: String(message._id), customerName }, m, reopened.has(m.wamid)));
  const closesAt = shownMinute(window.conversation.windowClosesAt);
  const windowShown = window.moves.some((move) => move.moved) && closesAt !== shownMinute(before.windowClosesAt);
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
  return items;
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

interface AccountStatus {
  account: AccountDocument;
  status: MessageStatus;
}

/**
 * Updates our outbound messages from their statuses, in the statuses' order: one read of the
 * messages, one write of each message's last status (guarded by the status it was read with), one
 * read of the conversations whose customer a status names by BSUID, and one enqueue, however many
 * statuses came (a campaign's come by the thousand). A message another writer moved meanwhile has
 * its statuses applied again one by one.
 */
async function ingestStatuses(deps: Deps, statuses: readonly AccountStatus[], result: IngestResult): Promise<void> {
  if (statuses.length === 0) return;
  const known = await outboundByWamid(statuses.map(({ status }) => status.wamid));
  const planned = new Map<string, StatusMove>();
  const moves: (AccountStatus & { move: StatusMove })[] = [];
  for (const { account, status: st } of statuses) {
    const message = known.get(st.wamid);
    const status = deliveryStatus(st.status);
    const earlier = message && planned.get(String(message._id));
    if (!message || !message.accountId.equals(account._id) || !status || !statusMoves(earlier?.status ?? message.status, status)) {
      deps.logger.debug('status for an unknown or already further message ignored', { status: st.status });
      result.unknownStatuses++;
      continue;
    }
    const error = statusError(st);
    // Stored, the error is the last one a status brought.
    const storedError = error ?? earlier?.error;
    planned.set(String(message._id), { message, status, ...(storedError ? { error: storedError } : {}) });
    moves.push({ account, status: st, move: { message, status, ...(error ? { error } : {}) } });
  }
  const missed = await applyStatusMoves([...planned.values()]);
  const linking = moves.filter(({ status, move }) => status.recipient.userId && !missed.has(String(move.message._id)));
  const conversations = new Map(
    linking.length > 0 ? (await findConversations(linking.map(({ move }) => move.message.conversationId))).map((c) => [String(c._id), c]) : [],
  );
  const items: EnqueueInput[] = [];
  for (const { account, status: st, move } of moves) {
    if (missed.has(String(move.message._id))) {
      if (await ingestStatus(deps, account, st)) result.statuses++;
      else result.unknownStatuses++;
      continue;
    }
    result.statuses++;
    // A status names the recipient by number and BSUID: how a customer we wrote to by number stays ours once they hide it.
    const conversation = st.recipient.userId ? conversations.get(String(move.message.conversationId)) : undefined;
    if (conversation) conversations.set(String(conversation._id), (await linkCustomer(conversation, st.recipient)).conversation);
    if (account.enabled) items.push(...statusItems(account, move));
  }
  await enqueue(items, deps.clock.now());
}

/** Updates our outbound message from one status; false when the status is for a message we do not know (or is stale). */
async function ingestStatus(deps: Deps, account: AccountDocument, st: MessageStatus): Promise<boolean> {
  const status = deliveryStatus(st.status);
  if (!status) return false;
  const error = statusError(st);
  const message = await advanceStatus(account._id, st.wamid, status, error);
  if (!message) {
    deps.logger.debug('status for an unknown or already further message ignored', { status: st.status });
    return false;
  }
  if (st.recipient.userId) {
    const conversation = await findConversation(message.conversationId);
    if (conversation) await linkCustomer(conversation, st.recipient);
  }
  if (account.enabled) await enqueue(statusItems(account, { message, status, ...(error ? { error } : {}) }), deps.clock.now());
  return true;
}

function statusError(st: MessageStatus): StatusError | undefined {
  const first = st.errors[0];
  return first ? { code: first.code, title: first.title || first.message || '', meaning: describeWhatsAppError(first.code).meaning } : undefined;
}

/** The Slack work a status brings: a reaction on the message's post, and a failure notice in its thread. */
function statusItems(account: AccountDocument, { message, status, error }: StatusMove): EnqueueInput[] {
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
  return items;
}
