import { listTeamAccounts, type Actor } from '../accounts/team';
import type { Deps } from '../context';
import { enqueue } from '../outbox';
import { appendAudit } from '../store/audit';
import { contactFacts, setContactCard, type ContactFacts } from '../store/contacts';
import type { AccountDocument, ConversationDocument } from '../store/models';
import { headerRefresh } from './index';

export type { ContactFacts } from '../store/contacts';

/** The contact card's facts, counting the customer's conversations with the workspace's accounts only. */
export async function contactCardFacts(teamId: string, conversation: ConversationDocument): Promise<ContactFacts> {
  const accounts = await listTeamAccounts(teamId);
  return contactFacts(conversation, accounts.map((a) => a._id));
}

/**
 * Stores the card's tags and notes, audited; the thread root is refreshed when the tags it shows changed.
 * False if the conversation is gone.
 */
export async function updateContactCard(
  deps: Pick<Deps, 'clock'>,
  actor: Actor,
  { account, conversation }: { account: AccountDocument; conversation: ConversationDocument },
  card: { tags: string[]; notes: string },
): Promise<boolean> {
  const now = deps.clock.now();
  const before = await setContactCard(conversation._id, card, now);
  if (!before) return false;
  const conversationId = String(conversation._id);
  await appendAudit(
    { teamId: actor.teamId, actorId: actor.userId, action: 'contact.update', subject: `conversation:${conversationId}`, accountId: String(account._id), before, after: card },
    now,
  );
  if (before.tags.join(',') !== card.tags.join(',')) await enqueue([headerRefresh(conversationId)], now);
  return true;
}
