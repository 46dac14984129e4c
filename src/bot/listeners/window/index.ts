import type { KnownBlock } from '@slack/types';
import type { Clock } from '../../../clock';
import { accountsOfTeam, openWindows } from '../../../store/windows';
import { toRow } from '../../../window/handlers';
import { slackUser } from '../../user';
import { expiringListView, windowHomeSection, type AccountWindows } from '../../views/window';
import type { WhatsAppCommandArgs } from '../commands/types';
import type { HomeContext } from '../home';

/** Enough rows to show the first page of each account and how many more there are. */
const ROWS_PER_ACCOUNT = 200;
/** Slack refuses a message with more than 50 blocks. */
const MAX_MESSAGE_BLOCKS = 50;

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

/** `/whatsapp expiring`: the same list as the App Home, only to whoever asked. */
export async function showExpiring({ command, client, respond, deps }: WhatsAppCommandArgs): Promise<void> {
  const user = await slackUser(client, deps, command.user_id);
  const { accounts, now } = await accountWindows(command.team_id, deps.clock);
  const view = expiringListView(user.t.window, { accounts, now, timeZone: deps.config.timeZone });
  await respond({ response_type: 'ephemeral', text: view.text, blocks: view.blocks.slice(0, MAX_MESSAGE_BLOCKS) });
}

/** The App Home section: each account's open conversations ordered by time left. */
export async function windowsHomeSection(ctx: HomeContext): Promise<KnownBlock[]> {
  const { accounts, now } = await accountWindows(ctx.teamId, ctx.deps.clock);
  return windowHomeSection(ctx.user.t.window, { accounts, now, timeZone: ctx.deps.config.timeZone });
}
