import { z } from 'zod';
import { combinedView, slaBreachView, slaMention, slaWarningView, userGroupMention } from '../bot/views/sla';
import type { SlackMessage } from '../bot/views/conversations';
import { windowWarningView } from '../bot/views/window';
import type { Deps } from '../context';
import { conversationCustomer, customerHandle } from '../domain/customer';
import { inboxStatus } from '../domain/inbox';
import { closeEnoughToCombine, COMBINE_MS, slaMoments, targetMinutes, type SlaTarget } from '../domain/sla';
import { strings } from '../i18n';
import { parsePayload, type DeliveryContext, type OutboxHandler } from '../outbox';
import { postOnce } from '../outbox/slack';
import { findAccount } from '../store/accounts';
import { findConversation } from '../store/conversations';
import type { AccountDocument, ConversationDocument } from '../store/models';
import { findWindowAlert } from '../store/windows';
import { claimWarning, countSlaBreach, findSlaClock, warningClaimedBy } from '../store/sla';
import { alertKey } from '../window/sweep';
import { slaSettingsOf } from './settings';
import { SLA_KINDS, slaAlertKey } from './sweep';

export type SlaHandlerDeps = Pick<Deps, 'slack' | 'slackPacer' | 'clock' | 'config' | 'logger'>;

const payloadSchema = z.object({
  conversationId: z.string(),
  since: z.string().datetime().transform((v) => new Date(v)),
  target: z.enum(['first', 'next']),
});

interface Standing {
  conversation: ConversationDocument;
  account: AccountDocument;
  channelId: string;
}

/** The conversation a target is about, if the target still runs: open, unanswered since `since`, its account posting. */
async function standingTarget(conversationId: string, since: Date): Promise<Standing | undefined> {
  const conversation = await findConversation(conversationId);
  if (!conversation || inboxStatus(conversation.status) !== 'open') return undefined;
  const lastReplyAt = conversation.lastReplyAt ?? undefined;
  if (lastReplyAt && lastReplyAt.getTime() >= since.getTime()) return undefined;
  const account = await findAccount(String(conversation.accountId));
  if (!account || account.state !== 'connected' || !account.enabled) return undefined;
  return { conversation, account, channelId: conversation.channelId ?? account.channelId };
}

/** The warning mark of a target: the SLA warning item's own key. */
function slaWarningName(conversationId: string, since: Date, target: string): string {
  return slaAlertKey(conversationId, since, target, 'warning');
}

function warningView(deps: SlaHandlerDeps, s: Standing, target: SlaTarget, dueAt: Date): SlackMessage {
  const settings = slaSettingsOf(s.account);
  return slaWarningView(strings(s.account.locale).sla, {
    assignee: s.conversation.assignee ?? undefined,
    target,
    minutes: targetMinutes(settings.targets, target),
    dueAt,
    timeZone: deps.config.timeZone,
  });
}

/**
 * A window warning due within a few minutes of this SLA warning (and not posted yet): claimed by
 * `by`, so the SLA warning says it too and the window warning item, delivered later in the same
 * lane, posts nothing. The window warning's mark is its own outbox key.
 */
async function absorbWindowWarning(deps: SlaHandlerDeps, s: Standing, now: Date, by: string): Promise<SlackMessage | undefined> {
  const alert = await findWindowAlert(s.conversation._id);
  const closesAt = alert?.closesAt;
  if (!alert || !closesAt || closesAt.getTime() <= now.getTime()) return undefined;
  const warned = new Set(alert.warnedThresholds);
  const pending = deps.config.expiry.warnMinutes
    .filter((m) => m > 0 && !warned.has(m))
    .filter((m) => closesAt.getTime() - m * 60_000 <= now.getTime() + COMBINE_MS)
    .sort((a, b) => a - b);
  const [threshold] = pending;
  if (threshold === undefined) return undefined;
  if ((await claimWarning(alertKey(String(s.conversation._id), closesAt, threshold), by)) !== 'mine') return undefined;
  return windowWarningView(strings(s.account.locale).window, { closesAt, now, lastReplyBy: s.conversation.lastReplyBy ?? undefined, timeZone: deps.config.timeZone });
}

/**
 * For the window's warning handler: whether this window warning was absorbed by an SLA warning
 * already (post nothing), or else the SLA warning due within a few minutes of it, claimed to go
 * out with it as one message.
 */
export async function slaBesideWindowWarning(
  deps: SlaHandlerDeps,
  conversation: ConversationDocument,
  account: AccountDocument,
  windowKey: string,
  now: Date,
): Promise<'absorbed' | SlackMessage | undefined> {
  const claimed = await warningClaimedBy(windowKey);
  if (claimed && claimed !== windowKey) return 'absorbed';
  const clock = await findSlaClock(conversation._id);
  if (!clock || clock.breached || inboxStatus(conversation.status) !== 'open') return undefined;
  const lastReplyAt = conversation.lastReplyAt ?? undefined;
  if (lastReplyAt && lastReplyAt.getTime() >= clock.since.getTime()) return undefined;
  if (account.state !== 'connected' || !account.enabled) return undefined;
  const target = clock.target as SlaTarget;
  const settings = slaSettingsOf(account);
  const { warnAt, dueAt } = slaMoments(settings.hours, settings.targets, clock.since, target);
  // Only a warning not yet breached that is due now or within a few minutes.
  if (!warnAt || !dueAt || dueAt.getTime() <= now.getTime()) return undefined;
  if (warnAt.getTime() > now.getTime() && !closeEnoughToCombine(warnAt, now)) return undefined;
  if ((await claimWarning(slaWarningName(String(conversation._id), clock.since, target), windowKey)) !== 'mine') return undefined;
  return warningView(deps, { conversation, account, channelId: conversation.channelId ?? account.channelId }, target, dueAt);
}

export function slaOutboxHandlers(deps: SlaHandlerDeps): Record<string, OutboxHandler> {
  const post = async (channel: string, threadTs: string | undefined, m: SlackMessage, delivery: DeliveryContext) => {
    await postOnce(deps, { channel, text: m.text, blocks: m.blocks, ...(threadTs ? { thread_ts: threadTs } : {}) }, delivery);
  };

  return {
    [SLA_KINDS.warning]: async (raw, delivery) => {
      const p = parsePayload(payloadSchema, raw);
      const now = deps.clock.now();
      const standing = await standingTarget(p.conversationId, p.since);
      if (!standing) return;
      const settings = slaSettingsOf(standing.account);
      const { dueAt } = slaMoments(settings.hours, settings.targets, p.since, p.target);
      // Delivered late, after the breach: the escalation says it better.
      if (!dueAt || dueAt.getTime() <= now.getTime()) return;
      // Said already, together with a window warning.
      if ((await claimWarning(slaWarningName(p.conversationId, p.since, p.target), delivery.key)) !== 'mine') return;
      const own = warningView(deps, standing, p.target, dueAt);
      const window = await absorbWindowWarning(deps, standing, now, delivery.key);
      await post(standing.channelId, standing.conversation.threadTs ?? undefined, window ? combinedView(own, window) : own, delivery);
    },

    [SLA_KINDS.breach]: async (raw, delivery) => {
      const p = parsePayload(payloadSchema, raw);
      const standing = await standingTarget(p.conversationId, p.since);
      if (!standing) return;
      const { conversation, account } = standing;
      if (await countSlaBreach(conversation, delivery.key, deps.clock.now())) {
        deps.logger.info('response target breached', { conversationId: p.conversationId, accountId: String(account._id), target: p.target, since: p.since.toISOString() });
      }
      const settings = slaSettingsOf(account);
      const group = settings.escalation.userGroupId;
      const escalationChannel = settings.escalation.channelId;
      const inThread = !escalationChannel || (escalationChannel === standing.channelId && Boolean(conversation.threadTs));
      const mention = group ? userGroupMention(group) : slaMention(conversation.assignee ?? undefined);
      const view = slaBreachView(strings(account.locale).sla, {
        mention,
        target: p.target,
        minutes: targetMinutes(settings.targets, p.target),
        inThread,
        customerName: conversation.profileName ?? undefined,
        customerHandle: customerHandle(conversationCustomer(conversation)),
        channelId: standing.channelId,
        threadTs: conversation.threadTs ?? undefined,
      });
      if (inThread) await post(standing.channelId, conversation.threadTs ?? undefined, view, delivery);
      else await post(escalationChannel, undefined, view, delivery);
    },
  };
}
