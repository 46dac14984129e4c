import type { AllMiddlewareArgs, App, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { Deps } from '../../../context';
import { accountWindows } from '../../../window';
import { slackUser } from '../../user';
import { PAGER_ACTION } from '../../views/limits';
import { expiringListView, WINDOW_PAGE_ACTION, windowHomeSection } from '../../views/window';
import { parseActionBody } from '../accounts/context';
import type { WhatsAppCommandArgs } from '../commands/types';
import { publishHome, type HomeContext } from '../home';

/** `/whatsapp expiring`: the same list as the App Home, only to whoever asked. */
export async function showExpiring({ command, client, respond, deps }: WhatsAppCommandArgs): Promise<void> {
  const user = await slackUser(client, deps, command.user_id);
  const { accounts, now } = await accountWindows(command.team_id, deps.clock);
  const view = expiringListView(user.t.window, { accounts, now, timeZone: user.timeZone });
  await respond({ response_type: 'ephemeral', ...view });
}

/** The App Home section: each account's open conversations ordered by time left. */
export async function windowsHomeSection(ctx: HomeContext): Promise<KnownBlock[]> {
  const { accounts, now } = await accountWindows(ctx.teamId, ctx.deps.clock);
  return windowHomeSection(ctx.user.t.window, { accounts, now, timeZone: ctx.user.timeZone, page: ctx.pages?.windows });
}

/** The expiring list's pager, in the ephemeral message or on the Home tab. */
export function registerWindow(app: App, deps: Deps): void {
  app.action(PAGER_ACTION(WINDOW_PAGE_ACTION), async ({ ack, body, client, respond }: AllMiddlewareArgs & SlackActionMiddlewareArgs) => {
    await ack();
    const ctx = parseActionBody(body);
    const page = Number(ctx?.value);
    if (!ctx || !Number.isInteger(page)) return;
    const user = await slackUser(client, deps, ctx.userId);
    if (ctx.surface.type === 'home') return publishHome(deps, client, { user, teamId: ctx.teamId, pages: { windows: page } });
    const { accounts, now } = await accountWindows(ctx.teamId, deps.clock);
    await respond({ response_type: 'ephemeral', replace_original: true, ...expiringListView(user.t.window, { accounts, now, timeZone: user.timeZone, page }) });
  });
}
