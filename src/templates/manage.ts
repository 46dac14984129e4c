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
import { toWhatsAppFailure, type WhatsAppFailure } from './provider';

type ManageDeps = Pick<Deps, 'secrets' | 'logger'>;

export type CreateOutcome =
  | { ok: true; template: StoredTemplate }
  | { ok: false; issues: TemplateIssue[] }
  | { ok: false; failure: WhatsAppFailure };

/** Our rules first (no API call for a draft we know is wrong), then WhatsApp's. */
export function checkDraft(account: AccountDocument, draft: TemplateDraft): Promise<TemplateIssue[]> {
  return templateKeys(account._id).then((existing) => validateTemplateDraft(draft, existing));
}

/** Creates the template on WhatsApp and stores it with the status WhatsApp gave it. */
export async function createTemplate(
  deps: ManageDeps,
  account: AccountDocument,
  draft: TemplateDraft,
  userId: string,
): Promise<CreateOutcome> {
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
    createdBy: userId,
  });
  deps.logger.info('template created', { accountId: account.id, name: draft.name, status: created.status });
  return { ok: true, template };
}

export type DeleteOutcome = { ok: true } | { ok: false; failure: WhatsAppFailure };

/**
 * Deletes one language of the template on WhatsApp (by hsm_id when known,
 * else every language of the name, as WhatsApp does) and then here.
 */
export async function deleteTemplate(deps: ManageDeps, account: AccountDocument, template: StoredTemplate): Promise<DeleteOutcome> {
  const provider = accountProvider(deps, account);
  if (!provider.supportsTemplateManagement) return { ok: false, failure: unsupported(account) };
  try {
    await provider.deleteTemplate(template.name, template.remoteId ?? undefined);
  } catch (err) {
    return { ok: false, failure: toWhatsAppFailure(err) };
  }
  if (template.remoteId) await removeTemplates([template._id]);
  else await removeTemplatesByName(account._id, template.name);
  deps.logger.info('template deleted', { accountId: account.id, name: template.name, language: template.language });
  return { ok: true };
}

export async function switchTemplate(template: StoredTemplate, enabled: boolean): Promise<void> {
  await setTemplateEnabled(template._id, enabled);
}

function unsupported(account: AccountDocument): WhatsAppFailure {
  return {
    kind: 'unsupported',
    message: account.kind === 'cloud' ? 'no WhatsApp Business Account ID' : 'the On-Premises API has no template management',
  };
}
