import type { AccountWindows } from '../bot/views/window';
import type { Clock } from '../clock';
import { accountsOfTeam, openWindows } from '../store/windows';
import { toRow } from './handlers';

/** Enough rows to show the first page of each account and how many more there are. */
const ROWS_PER_ACCOUNT = 200;

/** Every connected account of the workspace with its open windows, closing first. */
export async function accountWindows(teamId: string, clock: Clock): Promise<{ accounts: AccountWindows[]; now: Date }> {
  const now = clock.now();
  const accounts = await accountsOfTeam(teamId);
  const windows = await openWindows(
    accounts.map((a) => a._id),
    now,
    ROWS_PER_ACCOUNT,
  );
  return {
    now,
    accounts: accounts.map((a) => ({ accountName: a.name, rows: (windows.get(String(a._id)) ?? []).map((c) => toRow(c, a.channelId)) })),
  };
}
