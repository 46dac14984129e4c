/**
 * Who a WhatsApp customer is. Since April 2026 Meta identifies a user by a business-scoped
 * user ID (BSUID) in every webhook, and by the phone number (wa_id) only while the user shares
 * it: a user with a username may have no number at all. Pure functions, no I/O.
 */

/** A wa_id is the customer's phone number as digits, without `+`. */
const WA_ID = /^\d{1,20}$/;
/**
 * A BSUID: an ISO 3166 two-letter country code, a dot, up to 128 alphanumerics
 * (`IN.1410018717833190`); a parent BSUID, shared across business portfolios, has
 * `ENT.` after the country (`US.ENT.11815799212886844830`).
 */
const BSUID = /^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}$/;

export function isWaId(value: string): boolean {
  return WA_ID.test(value);
}

export function isBsuid(value: string): boolean {
  return BSUID.test(value);
}

export const WA_ID_FORMAT = 'a wa_id is digits only';
export const BSUID_FORMAT = 'a BSUID is a two-letter country code, a dot and up to 128 letters or digits';

/** Every identifier of one customer that a webhook or a conversation carries; at least one of phone and userId. */
export interface CustomerIds {
  /** The wa_id, while the customer shares their number. */
  phone?: string;
  /** The BSUID. */
  userId?: string;
  /** The parent BSUID, where Meta enabled them for linked portfolios. */
  parentUserId?: string;
  /** The WhatsApp username, e.g. `@sheena`; it may change at any time and never identifies anyone. */
  username?: string;
}

/**
 * The one identifier a customer's deliveries are queued under. The BSUID first: since April 2026
 * every webhook carries it, while the number comes and goes, so a customer's deliveries with and
 * without the number share one queue.
 */
export function customerKey(c: Pick<CustomerIds, 'phone' | 'userId'>): string {
  return c.userId ?? c.phone ?? '';
}

/**
 * Where a message to the customer goes: the number when it is known (Meta recommends it, and its
 * webhooks keep showing the number then), else the BSUID, else the parent BSUID.
 */
export function sendAddress(c: CustomerIds): string | undefined {
  return c.phone ?? c.userId ?? c.parentUserId;
}

/** An address typed by a person or kept in a modal: a wa_id or a BSUID. */
export function customerAt(address: string): CustomerIds {
  return isBsuid(address) ? { userId: address } : { phone: address };
}

/** An address as people read it: a number with its `+`, a BSUID as it is. */
export function addressLabel(address: string): string {
  return isWaId(address) ? `+${address}` : address;
}

/**
 * How the customer is named beside their name: the username and the number where known,
 * else the BSUID (the only thing we have for a customer who shares neither).
 */
export function customerHandle(c: CustomerIds): string {
  const parts = [c.username ? (c.username.startsWith('@') ? c.username : `@${c.username}`) : undefined, c.phone ? `+${c.phone}` : undefined].filter(
    (p): p is string => p !== undefined,
  );
  return parts.length ? parts.join(' · ') : (c.userId ?? c.parentUserId ?? '');
}

/**
 * A conversation's identifiers. Its `waId` is the key it was created under (see the model), so
 * for a conversation stored before BSUIDs existed the number is found there.
 */
export function conversationCustomer(c: {
  waId: string;
  phone?: string | null;
  userId?: string | null;
  parentUserId?: string | null;
  username?: string | null;
}): CustomerIds {
  const phone = c.phone ?? (isWaId(c.waId) ? c.waId : undefined);
  const userId = c.userId ?? (isBsuid(c.waId) ? c.waId : undefined);
  return {
    ...(phone ? { phone } : {}),
    ...(userId ? { userId } : {}),
    ...(c.parentUserId ? { parentUserId: c.parentUserId } : {}),
    ...(c.username ? { username: c.username } : {}),
  };
}

/** What `customerOfRun` reads of a message: who sent it, and Meta's notice of a new number or BSUID. */
interface Sent {
  customer: CustomerIds;
  content: { type: string; newWaId?: string; newUserId?: string };
}

/**
 * Who wrote a run of one customer's messages, as they are now: Meta's notice of a new number
 * (`user_changed_number`) or BSUID (`user_changed_user_id`) replaces the old one, which is kept
 * only to find the conversation by.
 */
export function customerOfRun(ms: readonly Sent[]): { customer: CustomerIds; formerly: string[] } {
  let customer: CustomerIds = {};
  const formerly: string[] = [];
  for (const m of ms) {
    customer = { ...customer, ...m.customer };
    if (m.content.type !== 'system') continue;
    const { newWaId, newUserId } = m.content;
    if (newWaId && newWaId !== customer.phone) {
      if (customer.phone) formerly.push(customer.phone);
      customer = { ...customer, phone: newWaId };
    }
    if (newUserId && newUserId !== customer.userId) {
      if (customer.userId) formerly.push(customer.userId);
      customer = { ...customer, userId: newUserId };
    }
  }
  return { customer, formerly };
}
