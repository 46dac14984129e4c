import type { Deps } from '../context';
import { listConnectedAccounts } from '../store/accounts';
import { syncAccountTemplates } from '../templates';
import { WhatsAppApiError } from '../whatsapp/provider';
import type { Job } from './index';

/**
 * Every connected account's templates, synced with WhatsApp (all pages): the
 * safety net for missed status webhooks and templates made in WhatsApp Manager.
 * One account failing does not stop the others.
 */
export function templateSyncJob(deps: Pick<Deps, 'config' | 'secrets' | 'clock' | 'logger'>): Job {
  return {
    name: 'template-sync',
    schedule: deps.config.templateSyncCron,
    async run() {
      const accounts = await listConnectedAccounts();
      for (const account of accounts) {
        try {
          const result = await syncAccountTemplates(deps, account);
          deps.logger.debug('templates synced', { accountId: account.id, ...result });
        } catch (err) {
          // Accounts without template listing (no WABA ID, some BSPs) are expected, not failures.
          if (err instanceof WhatsAppApiError && err.kind === 'unsupported') continue;
          deps.logger.warn('template sync failed', { accountId: account.id, err });
        }
      }
    },
  };
}
