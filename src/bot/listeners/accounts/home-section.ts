import { listAccountSummaries } from '../../../accounts/service';
import { accountListBlocks } from '../../views/accounts';
import type { HomeContext } from '../home';

/** The integrations list on the App Home. */
export async function accountsHomeSection(ctx: HomeContext) {
  const accounts = await listAccountSummaries(ctx.deps, ctx.teamId);
  return accountListBlocks(ctx.user.t, accounts, { isAdmin: ctx.user.isAdmin, notice: ctx.notice, page: ctx.pages?.accounts });
}
