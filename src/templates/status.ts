import type { Deps } from '../context';
import { findAccount } from '../store/accounts';
import { findTemplateByRemote, removeTemplates } from '../store/templates';
import type { TemplateStatusUpdate } from '../whatsapp/inbound';
import { enqueueTemplateNotice, isNotifiedStatus } from './notify';

export type { TemplateStatusUpdate };

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
  const account = await findAccount(accountId);
  if (!account) return;
  if (account.wabaId && update.wabaId && account.wabaId !== update.wabaId) {
    deps.logger.warn('template status update for another WhatsApp Business Account', { accountId });
    return;
  }
  const template = await findTemplateByRemote(account._id, update.templateId, update.templateName, update.language);
  if (!template) {
    deps.logger.info('status update for a template not stored yet; the next sync imports it', {
      accountId,
      name: update.templateName,
    });
    return;
  }
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
