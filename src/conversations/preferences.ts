import { preferenceView, slackDate } from '../bot/views/conversations';
import type { Deps } from '../context';
import { strings } from '../i18n';
import { enqueue } from '../outbox';
import { conversationOf, recordMarketingPreference } from '../store/conversations';
import type { AccountDocument } from '../store/models';
import type { UserPreference } from '../whatsapp/inbound';
import { conversationLane } from '../outbox/lanes';
import { threadPostItems } from './threads';

/** The only preference Meta sends today; another category is recorded nowhere (and logged). */
const MARKETING = 'marketing_messages';

/**
 * Meta's `user_preferences`: the customer stopped or resumed marketing messages. Recorded on their
 * conversation (created if we never spoke, so a later MARKETING template is still refused), and
 * told in the thread with the root updated, where there is a thread to tell it in.
 */
export async function applyUserPreference(
  deps: Pick<Deps, 'clock' | 'config' | 'logger'>,
  account: AccountDocument,
  preference: UserPreference,
): Promise<void> {
  if (preference.category !== MARKETING) {
    deps.logger.info('user preference of a category we do not know ignored', { accountId: account.id, category: preference.category });
    return;
  }
  const conversation = await conversationOf({ accountId: account._id, customer: preference.customer, channelId: account.channelId });
  const changed = await recordMarketingPreference(conversation._id, preference.value, preference.at);
  // A value Meta may add later is stored as sent, but only stop and resume are put into words.
  const stopped = preference.value === 'stop';
  if (!changed || !account.enabled || !conversation.threadTs || (!stopped && preference.value !== 'resume')) return;
  const p = strings(account.locale).platform;
  const when = slackDate(preference.at, p.intl, deps.config.timeZone);
  const conversationId = String(conversation._id);
  const at = preference.at.getTime();
  await enqueue(
    [
      ...threadPostItems({
        key: `slack-preference:${conversationId}:${preference.value}:${at}`,
        conversationId,
        message: preferenceView(stopped ? p.marketingStopped(when) : p.marketingResumed(when), stopped),
      }),
      {
        key: `slack-header:${conversationId}:preference:${preference.value}:${at}`,
        lane: conversationLane(conversationId),
        kind: 'conversation.header',
        payload: { conversationId },
      },
    ],
    deps.clock.now(),
  );
}
