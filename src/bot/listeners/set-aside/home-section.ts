import type { KnownBlock } from '@slack/types';
import { reasonText, setAsideOfTeam } from '../../../set-aside';
import { setAsideHomeSection } from '../../views/set-aside';
import type { HomeContext } from '../home';

/** The App Home section for admins: what Slack refused, per account of the workspace. */
export async function setAsideSection(ctx: HomeContext): Promise<KnownBlock[]> {
  if (!ctx.user.isAdmin) return [];
  const s = ctx.user.t.setAside;
  const rows = (await setAsideOfTeam(ctx.teamId)).map(({ account, count, slackError }) => ({
    accountId: String(account._id),
    accountName: account.name,
    count,
    reason: reasonText(s, slackError, `<#${account.channelId}>`),
  }));
  return setAsideHomeSection(s, rows);
}
