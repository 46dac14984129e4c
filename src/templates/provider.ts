import type { Deps } from '../context';
import { accountSecrets } from '../store/accounts';
import type { AccountDocument } from '../store/models';
import { createProvider, WhatsAppApiError, type WhatsAppProvider } from '../whatsapp/provider';

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

/** What a person needs to know about a WhatsApp failure: its code and WhatsApp's own words. */
export interface WhatsAppFailure {
  kind: 'api' | 'network' | 'timeout' | 'invalid_response' | 'unsupported';
  code?: number;
  subcode?: number;
  message: string;
}

export function toWhatsAppFailure(err: unknown): WhatsAppFailure {
  if (err instanceof WhatsAppApiError) {
    // error_user_msg / details explain the problem to people; message is the developer text.
    // The code is shown on its own, so the client's "WhatsApp API error (HTTP …, code …):" prefix goes.
    const message = [err.title, err.details].filter(Boolean).join(': ') || err.message.replace(/^WhatsApp API error \([^)]*\): /, '');
    return { kind: err.kind, code: err.code, subcode: err.subcode, message };
  }
  throw err;
}
