import { isOpen, nextOpening } from '../domain/business-hours';
import type { AccountDocument } from '../store/models';
import { slaSettingsOf } from './settings';

/** Whether the account's team is away now (outside its hours), and when it opens again; undefined while open or without hours. */
export function awayUntil(account: Pick<AccountDocument, 'businessHours'>, now: Date): { opensAt?: Date } | undefined {
  const hours = slaSettingsOf(account).hours;
  if (!hours || isOpen(hours, now)) return undefined;
  const opensAt = nextOpening(hours, now);
  return opensAt ? { opensAt } : {};
}
