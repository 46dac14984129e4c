/**
 * The inbox rules of a conversation: who owns it and where it stands. Pure: the store applies
 * what these decide, under the conversation's write lock.
 */

export const INBOX_STATUSES = ['open', 'pending', 'resolved'] as const;
/** open: someone should act; pending: waiting for the customer; resolved: done until they write again. */
export type InboxStatus = (typeof INBOX_STATUSES)[number];

/** A stored status; conversations from before statuses existed are open. */
export function inboxStatus(stored: string | null | undefined): InboxStatus {
  return INBOX_STATUSES.find((s) => s === stored) ?? 'open';
}

/** What a request to own a conversation comes to, given who holds it now. */
export type ClaimOutcome = { kind: 'won' } | { kind: 'already_yours' } | { kind: 'taken'; holder: string };

/** One assignee at a time: a claim wins only an unassigned conversation. */
export function claimOutcome(holder: string | null | undefined, claimant: string): ClaimOutcome {
  if (!holder) return { kind: 'won' };
  return holder === claimant ? { kind: 'already_yours' } : { kind: 'taken', holder };
}

/** A customer writing again puts a conversation that was waiting on them, or done, back in front of the team. */
export function reopensOnInbound(status: InboxStatus): boolean {
  return status !== 'open';
}

/** Window warnings speak for conversations someone still has to answer; a resolved one has none until the customer writes. */
export function warnsAboutWindow(status: InboxStatus): boolean {
  return status !== 'resolved';
}
