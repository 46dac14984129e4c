import type { Actor } from '../accounts/team';
import type { Deps } from '../context';
import { appendAudit } from '../store/audit';
import type { AccountDocument } from '../store/models';
import type { StoredTemplate } from '../store/templates';

/** What the audit log records of a template. */
export function templateAuditValues(template: StoredTemplate): Record<string, unknown> {
  return {
    name: template.name,
    language: template.language,
    category: template.category,
    status: template.status,
    enabled: template.enabled,
    remoteId: template.remoteId ?? null,
  };
}

/** One audit entry for a change made from Slack in one of the account's templates or conversations. */
export async function auditTemplateChange(
  deps: Pick<Deps, 'clock'>,
  actor: Actor,
  account: AccountDocument,
  entry: { action: string; subject: string; before?: Record<string, unknown>; after?: Record<string, unknown> },
): Promise<void> {
  await appendAudit({ teamId: actor.teamId, actorId: actor.userId, accountId: account.id, ...entry }, deps.clock.now());
}
