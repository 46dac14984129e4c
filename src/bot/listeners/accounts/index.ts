import type { App } from '@slack/bolt';
import type { Deps } from '../../../context';
import { ACCOUNT_ACTIONS, ACCOUNT_CALLBACKS } from '../../views/accounts';
import { PAGER_ACTION } from '../../views/limits';
import { addAccount, disconnect, showPage, toggle } from './buttons';
import { connectSubmission, moveSubmission } from './connect';
import { openMove, openSettings, settingsSubmission } from './settings';

export { openConnectFromCommand, showAccountsFromCommand } from './commands';

/** WhatsApp accounts: the list's buttons and the connect, settings and move modals. */
export function registerAccounts(app: App, deps: Deps): void {
  app.action(ACCOUNT_ACTIONS.add, addAccount(deps));
  app.action(ACCOUNT_ACTIONS.toggle, toggle(deps));
  app.action(ACCOUNT_ACTIONS.settings, openSettings(deps));
  app.action(ACCOUNT_ACTIONS.disconnect, disconnect(deps));
  app.action(ACCOUNT_ACTIONS.move, openMove(deps));
  app.action(PAGER_ACTION(ACCOUNT_ACTIONS.page), showPage(deps));
  app.view(ACCOUNT_CALLBACKS.connect, connectSubmission(deps));
  app.view(ACCOUNT_CALLBACKS.settings, settingsSubmission(deps));
  app.view(ACCOUNT_CALLBACKS.move, moveSubmission(deps));
}
