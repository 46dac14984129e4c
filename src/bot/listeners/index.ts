import type { App } from '@slack/bolt';
import type { Deps } from '../../context';
import { registerAccounts } from './accounts';
import { registerCommands } from './commands';
import { registerContact } from './contact';
import { register as registerConversations } from './conversations';
import { registerHome } from './home';
import { registerInbox } from './inbox';
import { registerMetrics } from './metrics';
import { registerSavedReplies } from './saved-replies';
import { registerSetAside } from './set-aside';
import { registerSla } from './sla';
import { registerTemplateListeners } from './templates';
import { registerWindow } from './window';

/** Wires every Slack listener; each feature folder has its own register function. */
export function registerListeners(app: App, deps: Deps): void {
  registerCommands(app, deps);
  registerHome(app, deps);
  registerAccounts(app, deps);
  registerTemplateListeners(app, deps);
  registerConversations(app, deps);
  registerInbox(app, deps);
  registerSavedReplies(app, deps);
  registerContact(app, deps);
  registerWindow(app, deps);
  registerSetAside(app, deps);
  registerSla(app, deps);
  registerMetrics(app, deps);
}
