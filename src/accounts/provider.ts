import type { Deps } from '../context';
import { accountSecrets } from '../store/accounts';
import type { AccountDocument } from '../store/models';
import { createProvider, type WhatsAppProvider } from '../whatsapp/provider';

/** The WhatsApp client of one account, built from its sealed credentials. */
export function accountProvider(deps: Pick<Deps, 'secrets'>, account: AccountDocument): WhatsAppProvider {
  return createProvider({
    kind: account.kind === 'cloud' ? 'cloud' : 'onprem',
    apiUrl: account.apiUrl,
    token: accountSecrets(account, deps.secrets).token,
    phoneNumberId: account.phoneNumberId ?? undefined,
    wabaId: account.wabaId ?? undefined,
  });
}
