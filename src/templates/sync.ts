import type { Deps } from '../context';
import { fromGraphApiTemplate, type GraphApiTemplate } from '../domain/templates';
import type { AccountDocument } from '../store/models';
import { allTemplates, removeTemplates, upsertRemoteTemplate } from '../store/templates';
import type { RemoteTemplate } from '../whatsapp/provider';
import { enqueueTemplateNotice, isNotifiedStatus } from './notify';
import { accountProvider } from '../accounts/provider';

export interface SyncResult {
  imported: number;
  /** Templates whose WhatsApp status changed. */
  changed: number;
  removed: number;
  /** Templates WhatsApp sent that we could not read (logged). */
  skipped: number;
}

type SyncDeps = Pick<Deps, 'secrets' | 'clock' | 'logger'>;

/**
 * Makes the account's stored templates match WhatsApp: imports the ones made
 * elsewhere, refreshes statuses (telling creators about approval or rejection)
 * and drops the ones deleted on WhatsApp. Throws WhatsAppApiError when WhatsApp
 * cannot be asked; nothing is changed then.
 */
export async function syncAccountTemplates(deps: SyncDeps, account: AccountDocument): Promise<SyncResult> {
  const remote = await accountProvider(deps, account).listTemplates();
  const result: SyncResult = { imported: 0, changed: 0, removed: 0, skipped: 0 };
  const seen = new Set<string>();
  for (const raw of remote) {
    const parsed = parseRemote(raw);
    if (!parsed) {
      result.skipped++;
      deps.logger.warn('template from WhatsApp could not be read', { accountId: account.id, name: raw.name });
      continue;
    }
    seen.add(keyOf(parsed));
    const { template, previousStatus } = await upsertRemoteTemplate(account._id, parsed, raw.namespace);
    if (previousStatus === undefined) {
      result.imported++;
    } else if (previousStatus !== template.status) {
      result.changed++;
      if (isNotifiedStatus(template.status)) await enqueueTemplateNotice(deps, template, account.name);
    }
  }
  // A PENDING template may have been created a moment ago and not be listed yet: keep it.
  const gone = (await allTemplates(account._id)).filter((t) => !seen.has(keyOf(t)) && t.status !== 'PENDING');
  await removeTemplates(gone.map((t) => t._id));
  result.removed = gone.length;
  return result;
}

function parseRemote(raw: RemoteTemplate): GraphApiTemplate | undefined {
  try {
    // On-Premises lists may omit the id and category.
    return fromGraphApiTemplate({ ...raw, id: raw.id ?? '', category: raw.category ?? 'UNKNOWN' });
  } catch {
    return undefined;
  }
}

function keyOf(t: { name: string; language: string }): string {
  return `${t.name}\u0000${t.language}`;
}
