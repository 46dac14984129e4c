import type { Deps } from '../context';
import { accountSecrets } from '../store/accounts';
import type { AccountDocument } from '../store/models';
import { createProvider, WhatsAppApiError, type WhatsAppProvider } from '../whatsapp/provider';
import { kindTraits } from './kind';

/** The WhatsApp client of one account, built from its sealed credentials. */
export function accountProvider(deps: Pick<Deps, 'secrets'>, account: AccountDocument): WhatsAppProvider {
  const kind = kindTraits(account.kind).api;
  // Not retried, and the template sync skips it: an 'unsupported' error, as for a BSP without template endpoints.
  if (!kind) {
    throw new WhatsAppApiError({ kind: 'unsupported', message: 'this account used the On-Premises API, which Meta retired on 2025-10-23: move it to the Cloud API or a BSP' });
  }
  return createProvider({
    kind,
    apiUrl: account.apiUrl,
    token: accountSecrets(account, deps.secrets).token,
    phoneNumberId: account.phoneNumberId ?? undefined,
    wabaId: account.wabaId ?? undefined,
    apiKeyHeader: account.apiKeyHeader ?? undefined,
  });
}
