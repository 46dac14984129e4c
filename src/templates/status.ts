import type { Deps } from '../context';
import { findAccount } from '../store/accounts';
import { findTemplateByRemote, removeTemplates } from '../store/templates';
import type { AccountDocument } from '../store/models';
import type { StoredTemplate } from '../store/templates';
import type { TemplateCategoryUpdate, TemplateQualityUpdate, TemplateStatusUpdate } from '../whatsapp/inbound';
import { enqueueTemplateChangeNotice, enqueueTemplateNotice, isNotifiedStatus } from './notify';

export type { TemplateCategoryUpdate, TemplateQualityUpdate, TemplateStatusUpdate };

type Ref = Pick<TemplateStatusUpdate, 'wabaId' | 'templateId' | 'templateName' | 'language'>;

/**
 * The stored template a template webhook is about, with its account. Unknown templates are left
 * to the next sync, which imports them with all their parts.
 */
async function templateOf(
  deps: Pick<Deps, 'logger'>,
  accountId: string,
  update: Ref,
): Promise<{ account: AccountDocument; template: StoredTemplate } | undefined> {
  const account = await findAccount(accountId);
  if (!account) return undefined;
  if (account.wabaId && update.wabaId && account.wabaId !== update.wabaId) {
    deps.logger.warn('template update for another WhatsApp Business Account', { accountId });
    return undefined;
  }
  const template = await findTemplateByRemote(account._id, update.templateId, update.templateName, update.language);
  if (!template) {
    deps.logger.info('update for a template not stored yet; the next sync imports it', { accountId, name: update.templateName });
    return undefined;
  }
  return { account, template };
}

/** The status a template has after the event; undefined when the event says nothing about it. */
function statusAfter(event: string): string | undefined {
  switch (event) {
    case 'REINSTATED':
      return 'APPROVED';
    // A quality warning; the template stays usable until WhatsApp pauses or disables it.
    case 'FLAGGED':
      return undefined;
    default:
      return event;
  }
}

/**
 * Applies a `message_template_status_update` webhook to the stored template and
 * tells its creator about approval or rejection. Unknown templates are left to
 * the next sync, which imports them with all their parts.
 */
export async function applyTemplateStatusUpdate(
  deps: Pick<Deps, 'clock' | 'logger'>,
  accountId: string,
  update: TemplateStatusUpdate,
): Promise<void> {
  const found = await templateOf(deps, accountId, update);
  if (!found) return;
  const { account, template } = found;
  if (update.event === 'DELETED') {
    await removeTemplates([template._id]);
    return;
  }
  const status = statusAfter(update.event);
  if (status === undefined || status === template.status) return;
  template.status = status;
  // Meta sends reason "NONE" with approvals.
  const reason = update.reason && update.reason !== 'NONE' ? update.reason : undefined;
  template.set('rejectedReason', status === 'REJECTED' ? reason : undefined);
  if (!template.remoteId) template.remoteId = update.templateId;
  await template.save();
  if (isNotifiedStatus(status)) await enqueueTemplateNotice(deps, template, account.name);
}

/**
 * `template_category_update`: a done change sets the category (it changes the price, and whether
 * opted-out customers may get it); a planned one is kept beside it until then. Either way the
 * creator hears of it.
 */
export async function applyTemplateCategoryUpdate(
  deps: Pick<Deps, 'clock' | 'logger'>,
  accountId: string,
  update: TemplateCategoryUpdate,
): Promise<void> {
  const found = await templateOf(deps, accountId, update);
  if (!found) return;
  const { account, template } = found;
  const from = template.category;
  if (update.stage === 'done') {
    if (template.category === update.newCategory && !template.pendingCategory) return;
    template.category = update.newCategory;
    template.set('pendingCategory', undefined);
    template.set('pendingCategoryAt', undefined);
    await template.save();
    if (from === update.newCategory) return;
    await enqueueTemplateChangeNotice(deps, template, account.name, { kind: 'category', stage: 'done', from: update.previousCategory ?? from, to: update.newCategory });
    return;
  }
  const at = update.effectiveAt?.getTime();
  if (template.pendingCategory === update.correctCategory && template.pendingCategoryAt?.getTime() === at) return;
  template.pendingCategory = update.correctCategory;
  template.set('pendingCategoryAt', update.effectiveAt);
  await template.save();
  await enqueueTemplateChangeNotice(deps, template, account.name, {
    kind: 'category',
    stage: 'planned',
    from: update.currentCategory ?? from,
    to: update.correctCategory,
    ...(at === undefined ? {} : { at }),
  });
}

/** `message_template_quality_update`: the score is shown in the list, and the creator hears of the change. */
export async function applyTemplateQualityUpdate(
  deps: Pick<Deps, 'clock' | 'logger'>,
  accountId: string,
  update: TemplateQualityUpdate,
): Promise<void> {
  const found = await templateOf(deps, accountId, update);
  if (!found) return;
  const { account, template } = found;
  if (template.quality === update.newScore) return;
  const from = update.previousScore ?? template.quality ?? undefined;
  template.quality = update.newScore;
  await template.save();
  await enqueueTemplateChangeNotice(deps, template, account.name, { kind: 'quality', to: update.newScore, ...(from ? { from } : {}) });
}
