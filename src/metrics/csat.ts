import { z } from 'zod';
import { accountProvider } from '../accounts/provider';
import { escapeMrkdwn } from '../bot/views/conversations';
import type { Deps } from '../context';
import { csatInteractive, type CsatSurvey } from '../domain/csat';
import { conversationCustomer, sendAddress } from '../domain/customer';
import { inboxStatus } from '../domain/inbox';
import { canReplyFreely } from '../domain/window';
import { strings } from '../i18n';
import { parsePayload, type EnqueueInput, type OutboxHandler } from '../outbox';
import { conversationLane } from '../outbox/lanes';
import { postOnce } from '../outbox/slack';
import { findConversation } from '../store/conversations';
import { recordMetricEvent } from '../store/metrics-events';
import { markSurveyAsked, setSurveyScore } from '../store/metrics';
import { findAccount } from '../store/accounts';
import type { AccountDocument, ConversationDocument } from '../store/models';

/**
 * The satisfaction survey (src/domain/csat.ts): asked once a round, when a conversation is resolved
 * while its 24-hour window is open, and never after it closes (a free-form message outside the
 * window is refused by WhatsApp, as Chatwoot's users found: chatwoot#10191). The window is checked
 * when the conversation is resolved and again when the outbox sends it, with the service's clock.
 */

export const CSAT_KINDS = { ask: 'csat.ask' } as const;

function surveyOf(account: AccountDocument): CsatSurvey | undefined {
  const csat = account.csat;
  return csat && csat.question && csat.options.length >= 3 ? { question: csat.question, options: [...csat.options] } : undefined;
}

/** The outbox item asking the survey, if the account has one and the window is open at `now`. */
export function csatAskItems(account: AccountDocument, conversation: ConversationDocument, now: Date): EnqueueInput[] {
  if (!surveyOf(account) || !canReplyFreely(conversation.windowClosesAt ?? undefined, now)) return [];
  const conversationId = String(conversation._id);
  return [{ key: `csat-ask:${conversationId}:${now.getTime()}`, lane: conversationLane(conversationId), kind: CSAT_KINDS.ask, payload: { conversationId } }];
}

const askPayload = z.object({ conversationId: z.string() });

export function csatOutboxHandlers(deps: Deps): Record<string, OutboxHandler> {
  return {
    [CSAT_KINDS.ask]: async (raw, delivery) => {
      const p = parsePayload(askPayload, raw);
      const conversation = await findConversation(p.conversationId);
      if (!conversation || inboxStatus(conversation.status) !== 'resolved' || conversation.csatAskedAt) return;
      const account = await findAccount(String(conversation.accountId));
      const survey = account && surveyOf(account);
      if (!account || !survey || account.state !== 'connected' || !account.enabled) return;
      const now = deps.clock.now();
      // Checked again at sending: the item may have waited (Slack or WhatsApp down) past the close.
      if (!canReplyFreely(conversation.windowClosesAt ?? undefined, now)) return;
      const to = sendAddress(conversationCustomer(conversation));
      if (!to || !(await markSurveyAsked(conversation._id, now))) return;
      const t = strings(account.locale);
      // At most once: a failure after the claim is logged, not retried, rather than asking twice.
      try {
        await accountProvider(deps, account).sendInteractive(to, csatInteractive(survey, t.metrics.survey.listButton));
      } catch (err) {
        deps.logger.warn('the satisfaction survey could not be sent', { conversationId: p.conversationId, err });
        return;
      }
      const channel = conversation.channelId ?? account.channelId;
      if (conversation.threadTs) {
        await postOnce(deps, { channel, thread_ts: conversation.threadTs, text: t.metrics.survey.sent(escapeMrkdwn(survey.question)) }, delivery);
      }
    },
  };
}

/** The customer answered the survey: the score goes on the conversation's round and into the metrics, once per answer. */
export async function recordCsatAnswer(account: AccountDocument, conversation: ConversationDocument, answer: { score: number; at: Date; wamid: string }): Promise<void> {
  const scale = account.csat?.options.length ?? 5;
  if (answer.score < 1 || answer.score > scale) return;
  await setSurveyScore(conversation._id, answer.score);
  await recordMetricEvent({
    key: `${String(conversation._id)}:${answer.wamid}`,
    kind: 'csat',
    accountId: account._id,
    conversationId: conversation._id,
    at: answer.at,
    score: answer.score,
    scale,
    ...(conversation.assignee ? { agent: conversation.assignee } : {}),
  });
}
