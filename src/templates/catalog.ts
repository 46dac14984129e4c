import type { Types } from 'mongoose';
import type { TemplateDraft } from '../domain/templates';
import { deleteDraft, listSendableTemplates, listTemplatesPage, saveDraft, type StoredTemplate } from '../store/templates';

export { templateButtons, type StoredTemplate } from '../store/templates';

/** One page of the account's template list, stepping back to the last page when deletions left `page` empty. */
export async function templateListPage(
  accountId: Types.ObjectId,
  page: number,
  pageSize: number,
): Promise<{ templates: StoredTemplate[]; page: number; total: number }> {
  let current = Math.max(0, page);
  let result = await listTemplatesPage(accountId, current, pageSize);
  if (result.templates.length === 0 && current > 0 && result.total > 0) {
    current = Math.floor((result.total - 1) / pageSize);
    result = await listTemplatesPage(accountId, current, pageSize);
  }
  return { templates: result.templates, page: current, total: result.total };
}

/** Templates an agent may send from the account: approved and switched on. */
export function sendableTemplates(accountId: Types.ObjectId): Promise<StoredTemplate[]> {
  return listSendableTemplates(accountId);
}

/** Keeps a draft between the form and its preview; returns its id. */
export function saveTemplateDraft(accountId: Types.ObjectId, userId: string, draft: TemplateDraft, now: Date): Promise<string> {
  return saveDraft(accountId, userId, draft, now);
}

export function deleteTemplateDraft(id: string): Promise<void> {
  return deleteDraft(id);
}
