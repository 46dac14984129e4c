import { isRetired } from '../accounts/kind';
import { findTeamAccount, findTeamTemplate, type Actor } from '../accounts/team';
import type { Deps } from '../context';
import { toGraphApiTemplate, validateTemplateDraft, type TemplateDraft, type TemplateIssue } from '../domain/templates';
import type { AccountDocument } from '../store/models';
import {
  insertCreatedTemplate,
  removeTemplates,
  removeTemplatesByName,
  setTemplateEnabled,
  templateKeys,
  type StoredTemplate,
} from '../store/templates';
import { accountProvider } from '../accounts/provider';
import { auditTemplateChange, templateAuditValues } from './audit';
import { toWhatsAppFailure, type WhatsAppFailure } from './failures';
import { syncAccountTemplates, type SyncResult } from './sync';

/**
 * Template changes made from Slack. Each takes the actor and ids as Slack sent
 * them, finds them within the actor's workspace (another workspace's ids are
 * not found), and writes the change to the audit log.
 */

type ManageDeps = Pick<Deps, 'secrets' | 'logger' | 'clock'>;

/** The account or template is not one of the actor's workspace (or is gone). */
export type NotFound = { ok: false; notFound: true };
const NOT_FOUND: NotFound = { ok: false, notFound: true };

export type CreateOutcome =
  | { ok: true; template: StoredTemplate }
  | NotFound
  | { ok: false; issues: TemplateIssue[] }
  | { ok: false; failure: WhatsAppFailure };

/** Our rules first (no API call for a draft we know is wrong), then WhatsApp's. */
export function checkDraft(account: AccountDocument, draft: TemplateDraft): Promise<TemplateIssue[]> {
  return templateKeys(account._id).then((existing) => validateTemplateDraft(draft, existing));
}

/** Creates the template on WhatsApp and stores it with the status WhatsApp gave it. */
export async function createTemplate(deps: ManageDeps, actor: Actor, accountId: string, draft: TemplateDraft): Promise<CreateOutcome> {
  const account = await findTeamAccount(actor.teamId, accountId);
  if (!account) return NOT_FOUND;
  const provider = accountProvider(deps, account);
  if (!provider.supportsTemplateManagement) return { ok: false, failure: unsupported(account) };
  const issues = await checkDraft(account, draft);
  if (issues.length > 0) return { ok: false, issues };
  let created;
  try {
    created = await provider.createTemplate(toGraphApiTemplate(draft));
  } catch (err) {
    return { ok: false, failure: toWhatsAppFailure(err) };
  }
  const template = await insertCreatedTemplate({
    accountId: account._id,
    draft,
    remoteId: created.id,
    status: created.status,
    // WhatsApp may move a template to another category; its word counts.
    category: created.category ?? draft.category,
    createdBy: actor.userId,
  });
  await auditTemplateChange(deps, actor, account, { action: 'template.create', subject: `template:${String(template._id)}`, after: templateAuditValues(template) });
  deps.logger.info('template created', { accountId: account.id, name: draft.name, status: created.status });
  return { ok: true, template };
}

export type DeleteOutcome = { ok: true } | { ok: false; failure: WhatsAppFailure } | NotFound;

/**
 * Deletes one language of the template on WhatsApp (by hsm_id when known,
 * else every language of the name, as WhatsApp does) and then here.
 */
export async function deleteTemplate(deps: ManageDeps, actor: Actor, templateId: string): Promise<DeleteOutcome> {
  const found = await findTeamTemplate(actor.teamId, templateId);
  if (!found) return NOT_FOUND;
  const { account, template } = found;
  const provider = accountProvider(deps, account);
  if (!provider.supportsTemplateManagement) return { ok: false, failure: unsupported(account) };
  try {
    await provider.deleteTemplate(template.name, template.remoteId ?? undefined);
  } catch (err) {
    return { ok: false, failure: toWhatsAppFailure(err) };
  }
  if (template.remoteId) await removeTemplates([template._id]);
  else await removeTemplatesByName(account._id, template.name);
  await auditTemplateChange(deps, actor, account, { action: 'template.delete', subject: `template:${templateId}`, before: templateAuditValues(template) });
  deps.logger.info('template deleted', { accountId: account.id, name: template.name, language: template.language });
  return { ok: true };
}

/** ON/OFF from the account's list; false when the template is not that account's, in the actor's workspace. */
export async function switchTemplate(
  deps: ManageDeps,
  actor: Actor,
  target: { accountId: string; templateId: string },
  enabled: boolean,
): Promise<boolean> {
  const { templateId } = target;
  const found = await findTeamTemplate(actor.teamId, templateId, target.accountId);
  if (!found) return false;
  const { account, template } = found;
  const before = templateAuditValues(template);
  await setTemplateEnabled(template._id, enabled);
  await auditTemplateChange(deps, actor, account, {
    action: enabled ? 'template.enable' : 'template.disable',
    subject: `template:${templateId}`,
    before,
    after: { ...before, enabled },
  });
  deps.logger.info('template switched', { templateId, enabled, by: actor.userId });
  return true;
}

/** Refresh from Slack: a sync of the workspace's account, audited with what it changed. Throws as the sync does. */
export async function refreshTemplates(deps: ManageDeps, actor: Actor, accountId: string): Promise<SyncResult | undefined> {
  const account = await findTeamAccount(actor.teamId, accountId);
  if (!account) return undefined;
  const result = await syncAccountTemplates(deps, account);
  await auditTemplateChange(deps, actor, account, { action: 'template.sync', subject: `account:${account.id}`, after: { ...result } });
  return result;
}

function unsupported(account: AccountDocument): WhatsAppFailure {
  return {
    kind: 'unsupported',
    message: isRetired(account) ? 'the On-Premises API was retired by Meta' : 'no WhatsApp Business Account ID',
  };
}
