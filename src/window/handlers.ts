import { z } from 'zod';
import { conversationCustomer, sendAddress } from '../domain/customer';
import { inboxStatus, warnsAboutWindow } from '../domain/inbox';
import type { SlackMessage } from '../bot/views/conversations';
import { windowClosedView, windowSummaryView, windowWarningView, digestView, threadLink, type WindowRow } from '../bot/views/window';
import type { Deps } from '../context';
import { strings, type Locale } from '../i18n';
import { parsePayload, type DeliveryContext, type OutboxHandler } from '../outbox';
import { postOnce } from '../outbox/slack';
import { findAccount, findAccounts } from '../store/accounts';
import { findConversation, findConversations } from '../store/conversations';
import type { AccountDocument, ConversationDocument } from '../store/models';
import { recordMetricEvent } from '../store/metrics-events';
import { isAnswered, openWindows } from '../store/windows';
import { combinedView } from '../bot/views/sla';
import { slaBesideWindowWarning } from '../sla/handlers';
import { WINDOW_KINDS } from './sweep';

const DIGEST_LIMIT = 500;

export type WindowHandlerDeps = Pick<Deps, 'slack' | 'slackPacer' | 'clock' | 'config' | 'logger'>;

const isoDate = z.iso.datetime().transform((v) => new Date(v));
const warningPayload = z.object({ conversationId: z.string(), closesAt: isoDate, threshold: z.number() });
const closedPayload = z.object({ conversationId: z.string(), closesAt: isoDate });
const summaryPayload = z.object({
  channelId: z.string(),
  rows: z.array(
    z.object({ conversationId: z.string(), customerName: z.string().optional(), waId: z.string(), closesAt: isoDate, threadTs: z.string().optional() }),
  ),
});
const digestPayload = z.object({ accountId: z.string() });

/**
 * The conversation an alert is about, if the alert still stands at delivery:
 * same window, not answered nor resolved meanwhile, and its account still posting.
 */
async function standingAlert(
  conversationId: string,
  closesAt: Date,
): Promise<{ conversation: ConversationDocument; account: AccountDocument; channelId: string } | undefined> {
  const conversation = await findConversation(conversationId);
  if (!conversation || conversation.windowClosesAt?.getTime() !== closesAt.getTime() || isAnswered(conversation)) return undefined;
  // Resolved: nobody is to answer it until the customer writes again (which reopens it and moves the window).
  if (!warnsAboutWindow(inboxStatus(conversation.status))) return undefined;
  const account = await findAccount(String(conversation.accountId));
  if (!account || account.state !== 'connected' || !account.enabled) return undefined;
  return { conversation, account, channelId: conversation.channelId ?? account.channelId };
}

/**
 * A summary gathers a channel's warnings, possibly of several accounts: their
 * channel language when they share one, else the reference language.
 */
async function summaryLocale(conversationIds: readonly string[]): Promise<Locale> {
  const conversations = await findConversations(conversationIds, { accountId: 1 });
  const accounts = await findAccounts(conversations.map((c) => c.accountId));
  const locales = new Set(accounts.map((a) => a.locale));
  const [only] = locales;
  return locales.size === 1 && only ? only : 'en';
}

/** Delivers the window's outbox items; a thread whose root was never posted gets them in the channel. */
export function windowOutboxHandlers(deps: WindowHandlerDeps): Record<string, OutboxHandler> {
  const timeZone = deps.config.timeZone;
  const post = async (channel: string, threadTs: string | undefined, m: SlackMessage, delivery: DeliveryContext) => {
    await postOnce(deps, { channel, text: m.text, blocks: m.blocks, ...(threadTs ? { thread_ts: threadTs } : {}) }, delivery);
  };

  return {
    [WINDOW_KINDS.warning]: async (raw, delivery) => {
      const p = parsePayload(warningPayload, raw);
      const now = deps.clock.now();
      // Delivered late (Slack was down) after the close: the closed notice says it better.
      if (now.getTime() >= p.closesAt.getTime()) return;
      const alert = await standingAlert(p.conversationId, p.closesAt);
      if (!alert) return;
      const { conversation } = alert;
      // An SLA warning due within minutes of this one goes out with it, as one message (src/sla/handlers.ts).
      const sla = await slaBesideWindowWarning(deps, conversation, alert.account, delivery.key, now);
      if (sla === 'absorbed') return;
      const view = windowWarningView(strings(alert.account.locale).window, { closesAt: p.closesAt, now, lastReplyBy: conversation.lastReplyBy ?? undefined, timeZone });
      await post(alert.channelId, conversation.threadTs ?? undefined, sla ? combinedView(sla, view) : view, delivery);
    },

    [WINDOW_KINDS.closed]: async (raw, delivery) => {
      const p = parsePayload(closedPayload, raw);
      const alert = await standingAlert(p.conversationId, p.closesAt);
      if (!alert) return;
      const s = strings(alert.account.locale).window;
      // A window that closed unanswered counts against its assignee; keyed by the window, so a retried post counts it once.
      const { conversation } = alert;
      await recordMetricEvent({
        key: `${p.conversationId}:${p.closesAt.getTime()}`,
        kind: 'window_unanswered',
        accountId: conversation.accountId,
        conversationId: conversation._id,
        at: p.closesAt,
        ...(conversation.assignee ? { agent: conversation.assignee } : {}),
      });
      await post(alert.channelId, alert.conversation.threadTs ?? undefined, windowClosedView(s, { conversationId: p.conversationId, closesAt: p.closesAt, timeZone }), delivery);
    },

    [WINDOW_KINDS.summary]: async (raw, delivery) => {
      const p = parsePayload(summaryPayload, raw);
      const now = deps.clock.now();
      const rows: WindowRow[] = p.rows
        .filter((r) => r.closesAt.getTime() > now.getTime())
        .map((r) => ({ ...r, link: r.threadTs ? threadLink(p.channelId, r.threadTs) : undefined }));
      if (rows.length < 2) return;
      const s = strings(await summaryLocale(rows.map((r) => r.conversationId))).window;
      await post(p.channelId, undefined, windowSummaryView(s, { rows, now, timeZone }), delivery);
    },

    [WINDOW_KINDS.digest]: async (raw, delivery) => {
      const p = parsePayload(digestPayload, raw);
      const account = await findAccount(p.accountId);
      if (!account || account.state !== 'connected' || !account.enabled) return;
      const now = deps.clock.now();
      const open = (await openWindows([account._id], now, DIGEST_LIMIT)).get(String(account._id)) ?? [];
      const rows = open.filter((c) => !isAnswered(c)).map((c) => toRow(c, account.channelId));
      const view = digestView(strings(account.locale).window, { accountName: account.name, rows, now, timeZone });
      if (view) await post(account.channelId, undefined, view, delivery);
    },
  };
}

/** A conversation as a list row; callers pass only conversations with an open window. */
export function toRow(c: ConversationDocument, fallbackChannelId?: string): WindowRow {
  const channelId = c.channelId ?? fallbackChannelId;
  return {
    conversationId: String(c._id),
    customerName: c.profileName ?? undefined,
    waId: sendAddress(conversationCustomer(c)) ?? c.waId,
    closesAt: c.windowClosesAt ?? new Date(0),
    lastMessage: c.lastInboundPreview ?? undefined,
    answered: isAnswered(c),
    lastReplyBy: c.lastReplyBy ?? undefined,
    link: channelId && c.threadTs ? threadLink(channelId, c.threadTs) : undefined,
  };
}
