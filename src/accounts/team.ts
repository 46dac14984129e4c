import { accountNameKey, findAccount, listAccounts } from '../store/accounts';
import { findConversation, findConversationByThread } from '../store/conversations';
import type { AccountDocument, ConversationDocument } from '../store/models';
import { findTemplateById, loadDraft, type StoredTemplate } from '../store/templates';
import type { TemplateDraft } from '../domain/templates';

/**
 * What a Slack request may reach: its own workspace's accounts and what belongs
 * to them. Another workspace of the same Slack app signs its requests as validly
 * as ours, so everything a Slack user can name by id (in a button value or a
 * modal's metadata) is looked up here, by the request's team. The unscoped store
 * lookups are for webhooks and background work; a test keeps them out of src/bot.
 */

export type { AccountDocument, ConversationDocument } from '../store/models';

/** Who is acting, from the Slack payload. */
export interface Actor {
  teamId: string;
  userId: string;
}

/** The account, whatever its state, if it is the workspace's. */
async function ownAccount(teamId: string, accountId: string): Promise<AccountDocument | undefined> {
  const account = await findAccount(accountId);
  return account && account.teamId === teamId && teamId !== '' ? account : undefined;
}

/** The connected account if it belongs to the workspace. */
export async function findTeamAccount(teamId: string, accountId: string): Promise<AccountDocument | undefined> {
  const account = await ownAccount(teamId, accountId);
  return account?.state === 'connected' ? account : undefined;
}

/** A template of one of the workspace's connected accounts; of that account only, when `accountId` is given. */
export async function findTeamTemplate(
  teamId: string,
  templateId: string,
  accountId?: string,
): Promise<{ account: AccountDocument; template: StoredTemplate } | undefined> {
  const template = await findTemplateById(templateId);
  if (!template || (accountId !== undefined && String(template.accountId) !== accountId)) return undefined;
  const account = await findTeamAccount(teamId, String(template.accountId));
  return account ? { account, template } : undefined;
}

/** A conversation of one of the workspace's connected accounts. */
export async function findTeamConversation(
  teamId: string,
  conversationId: string,
): Promise<{ account: AccountDocument; conversation: ConversationDocument } | undefined> {
  const conversation = await findConversation(conversationId);
  const account = conversation && (await findTeamAccount(teamId, String(conversation.accountId)));
  return conversation && account ? { account, conversation } : undefined;
}

/** The conversation whose Slack thread this is, with its account in any state (notes outlive a disconnect). */
export async function findTeamThread(
  teamId: string,
  channelId: string,
  threadTs: string,
): Promise<{ account: AccountDocument; conversation: ConversationDocument } | undefined> {
  const conversation = await findConversationByThread(channelId, threadTs);
  const account = conversation && (await ownAccount(teamId, String(conversation.accountId)));
  return conversation && account ? { account, conversation } : undefined;
}

/** A template draft between form and preview, if its account is one of the workspace's connected ones. */
export async function findTeamDraft(
  teamId: string,
  draftId: string,
): Promise<{ account: AccountDocument; draft: TemplateDraft } | undefined> {
  const stored = await loadDraft(draftId);
  const account = stored && (await findTeamAccount(teamId, stored.accountId));
  return stored && account ? { account, draft: stored.draft } : undefined;
}

/** The workspace's connected accounts, oldest first. */
export function listTeamAccounts(teamId: string): Promise<AccountDocument[]> {
  return listAccounts(teamId);
}

/** The account of `accounts` that a person named, however they cased or spaced it. */
export function accountNamed<A extends Pick<AccountDocument, 'nameKey'>>(accounts: readonly A[], name: string): A | undefined {
  const key = accountNameKey(name);
  return accounts.find((a) => a.nameKey === key);
}
