import type { ApiKind } from '../whatsapp/provider';

/**
 * What an account is connected through: the Cloud API from Meta, a BSP serving it, or the
 * On-Premises API that Meta retired on 2025-10-23. A retired account keeps its channel,
 * conversations and templates until an admin moves it; it neither sends nor receives.
 */
export type AccountKind = ApiKind | 'onprem';

export interface KindTraits {
  kind: AccountKind;
  /** The API it sends through; undefined for a retired account. */
  api?: ApiKind;
  /** Meta signs Cloud deliveries; a BSP forwards them unsigned to a URL holding the account's secret; a retired account's are gone. */
  webhook: 'signed' | 'secret' | 'gone';
}

/**
 * The one switch on an account's stored kind. A value the code does not know (written by a newer
 * version, or by hand) fails loudly instead of being taken for another kind.
 */
export function kindTraits(stored: string): KindTraits {
  switch (stored) {
    case 'cloud':
      return { kind: 'cloud', api: 'cloud', webhook: 'signed' };
    case 'bsp':
      return { kind: 'bsp', api: 'bsp', webhook: 'secret' };
    case 'onprem':
      return { kind: 'onprem', webhook: 'gone' };
    default:
      throw new TypeError(`unknown WhatsApp account kind: ${stored}`);
  }
}

export function isRetired(account: { kind: string }): boolean {
  return kindTraits(account.kind).api === undefined;
}

/** The account's kind, checked like every other use of it (see `kindTraits`). */
export function accountKind(account: { kind: string }): AccountKind {
  return kindTraits(account.kind).kind;
}
