import type { App } from '@slack/bolt';
import type { Deps } from '../../../context';
import { retryAccount } from '../../../set-aside';
import { escape } from '../../views/accounts';
import { SET_ASIDE_ACTIONS } from '../../views/set-aside';
import { adminButton, tellUser } from '../accounts/context';
import { publishHome } from '../home';

/** Retry: puts the account's set-aside messages back in their threads' lanes, for admins of its workspace. */
export function registerSetAside(app: App, deps: Deps): void {
  app.action(
    SET_ASIDE_ACTIONS.retry,
    adminButton(deps, (t) => t.setAside.adminWhat, async ({ ctx, user, client, respond }) => {
      const s = user.t.setAside;
      const outcome = await retryAccount(deps, { teamId: ctx.teamId, userId: ctx.userId }, ctx.value);
      if (outcome.kind === 'not_found') return tellUser(client, ctx, respond, user, s.notFound);
      const name = escape(outcome.account.name);
      const notice = outcome.count > 0 ? s.retried(name, outcome.count) : s.nothingToRetry(name);
      await publishHome(deps, client, { user, teamId: ctx.teamId, notice });
    }),
  );
}
