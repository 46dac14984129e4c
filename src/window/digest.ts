import type { Deps } from '../context';
import { enqueue } from '../outbox';
import { postingAccounts } from '../store/windows';
import { WINDOW_KINDS } from './sweep';

/** The calendar day in the service's time zone: one digest per account per day, however many instances run the cron. */
export function digestDay(now: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** Enqueues today's digest for every posting account; the handler gathers the list at delivery. */
export async function enqueueDigests(deps: Pick<Deps, 'config' | 'clock'>, now = deps.clock.now()): Promise<number> {
  const accounts = await postingAccounts();
  const day = digestDay(now, deps.config.timeZone);
  await enqueue(
    accounts.map((a) => ({
      key: `window-digest:${String(a._id)}:${day}`,
      lane: `window-digest:${String(a._id)}`,
      kind: WINDOW_KINDS.digest,
      payload: { accountId: String(a._id) },
    })),
    now,
  );
  return accounts.length;
}
