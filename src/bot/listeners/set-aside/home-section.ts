import type { KnownBlock } from '@slack/types';
import { reasonText } from '../../../set-aside';
import { listAccounts } from '../../../store/accounts';
import { setAsideByAccount } from '../../../store/set-aside';
import { setAsideHomeSection } from '../../views/set-aside';
import type { HomeContext } from '../home';

/** The App Home section for admins: what Slack refused, per account of the workspace. */
export async function setAsideSection(ctx: HomeContext): Promise<KnownBlock[]> {
  if (!ctx.user.isAdmin) return [];
  const accounts = await listAccounts(ctx.teamId);
  const byId = new Map(accounts.map((a) => [String(a._id), a]));
  const s = ctx.user.t.setAside;
  const rows = (await setAsideByAccount(accounts.map((a) => a._id))).flatMap((group) => {
    const account = byId.get(group.accountId);
    return account ? [{ accountId: group.accountId, accountName: account.name, count: group.count, reason: reasonText(s, group.slackError, `<#${account.channelId}>`) }] : [];
  });
  return setAsideHomeSection(s, rows);
}
